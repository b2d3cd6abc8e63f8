-- Every read of a network's people and payments names the network on the rows themselves too, not only through
-- their submissions, so a scan skips the blocks of rows that hold only other networks' (see dashboard/cluster.py,
-- which keeps each network's rows together). The figures are unchanged: a submission belongs to one network.
create or replace macro selection_people(network, initiative, institution) as table
    select p.*
    from participant as p
    inner join submission as s using (submission_id)
    where p.network_id = network and s.network_id = network and s.status = 'active'
        and (initiative is null or p.initiative_id = initiative)
        and (institution is null or p.institution_id = institution);

create or replace macro spend_located(for_network, for_initiative, for_institution, date_from, date_to) as table
with active as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
),

-- The selection's payments; inlined into each use below rather than copied.
payments as not materialized (
    select s.lsoa21_code, s.lsoa11_code, s.nation, s.is_sme, s.is_vcse, s.supplier_name, s.supplier_id, s.amount_gbp
    from spend_month as s
    inner join active using (submission_id)
    where s.network_id = for_network
        and (for_initiative is null or s.initiative_id = for_initiative)
        and (for_institution is null or s.institution_id = for_institution)
        and s.month between date_from and date_to
),

-- Payments summed per place first, so the joins below touch thousands of rows, not millions.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        lsoa21_code,
        lsoa11_code,
        nation,
        'partner file' as source,
        sum(amount_gbp) as spend_gbp,
        sum(amount_gbp) filter (where is_sme) as spend_sme_gbp,
        sum(amount_gbp) filter (where is_sme is not null) as spend_sme_known_gbp,
        sum(amount_gbp) filter (where is_vcse) as spend_vcse_gbp,
        sum(amount_gbp) filter (where is_vcse is not null) as spend_vcse_known_gbp
    from payments
    where nation is not null and is_sme is not null and is_vcse is not null
    group by all
),

-- The rest, summed per place and supplier. Three disjoint 'is null' filters rather than one 'or':
-- each is pushed into the scan and skips row groups that hold no nulls.
spend_to_match as (
    select lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
    from (
        select * from payments where nation is null
        union all
        select * from payments where nation is not null and is_sme is null
        union all
        select * from payments where nation is not null and is_sme is not null and is_vcse is null
    )
    group by all
),

register as (
    select supplier_key, supplier_id, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, source
    from supplier_register_placed(for_network)
),

-- Each distinct supplier matched once, not each payment: by identifier first, else by normalised name.
-- (The register keeps identifiers unique; min() makes sure no payment could ever match twice.)
supplier_match as (
    select
        u.supplier_name,
        u.supplier_id,
        coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key,
        is_redacted(u.supplier_name, u.supplier_id) as redacted
    from (select distinct supplier_name, supplier_id from spend_to_match) as u
    left join (
        select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
    ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
    left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
),

-- The payment's own location and flags win; the register fills in only what the payment lacks.
spend_matched as (
    select
        if(s.nation is null, r.lsoa21_code, s.lsoa21_code) as lsoa21_code,
        if(s.nation is null, r.lsoa11_code, s.lsoa11_code) as lsoa11_code,
        coalesce(s.nation, r.nation) as nation,
        case
            when s.nation is not null then 'partner file'
            when r.nation is not null then r.source
            when m.redacted then 'redacted'
            else 'unknown'
        end as source,
        sum(s.spend_gbp) as spend_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme)) as spend_sme_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme) is not null) as spend_sme_known_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse)) as spend_vcse_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse) is not null) as spend_vcse_known_gbp
    from spend_to_match as s
    left join supplier_match as m
        on m.supplier_name = s.supplier_name and m.supplier_id is not distinct from s.supplier_id
    left join register as r on r.supplier_key = m.supplier_key
    group by all
)

select * from spend_complete
union all
select * from spend_matched;


create or replace macro selection_payments_located(network, initiative, institution, date_from, date_to) as table
    with payments as (
        select sp.lsoa21_code, sp.lsoa11_code, sp.nation, sp.supplier_postcode, sp.supplier_name, sp.supplier_id,
            sp.amount_gbp
        from spend_month as sp
        inner join submission as s using (submission_id)
        where s.network_id = network and sp.network_id = network and s.status = 'active'
            and (initiative is null or sp.initiative_id = initiative)
            and (institution is null or sp.institution_id = institution)
            and sp.month between date_from and date_to
    ),

    register as (
        select supplier_key, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation
        from supplier_register_placed(network)
    ),

    unlocated as (
        select supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
        from payments
        where nation is null
        group by all
    ),

    matched as (
        select u.spend_gbp, coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key
        from unlocated as u
        left join (
            select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
        ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
        left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
    )

    select lsoa21_code, lsoa11_code, nation, supplier_postcode, sum(amount_gbp) as spend_gbp
    from payments
    where nation is not null
    group by all
    union all
    select r.lsoa21_code, r.lsoa11_code, r.nation, r.supplier_postcode, sum(m.spend_gbp) as spend_gbp
    from matched as m
    left join register as r using (supplier_key)
    group by all;
