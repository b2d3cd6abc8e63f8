-- A selection's spend summed per place (LSOA 2021 and 2011 codes, nation), with the SME and VCSE
-- parts: one definition for every query that places spend. A payment without its own location or
-- flags takes them from the supplier register entry it matches (by identifier, else by name).
-- Arguments: network, initiative (null = all), institution (null = all), date_from, date_to (inclusive).
create macro spend_located(for_network, for_initiative, for_institution, date_from, date_to) as table
with active as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
),

-- The selection's payments; inlined into each use below rather than copied.
payments as not materialized (
    select s.lsoa21_code, s.lsoa11_code, s.nation, s.is_sme, s.is_vcse, s.supplier_name, s.supplier_id, s.amount_gbp
    from spend as s
    inner join active using (submission_id)
    where (for_initiative is null or s.initiative_id = for_initiative)
        and (for_institution is null or s.institution_id = for_institution)
        and s.payment_date between date_from and date_to
),

-- Payments summed per place first, so the joins below touch thousands of rows, not millions.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        lsoa21_code,
        lsoa11_code,
        nation,
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
    select supplier_key, supplier_id, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse
    from supplier_register
    where network_id = for_network
),

-- Each distinct supplier matched once, not each payment: by identifier first, else by normalised name.
-- (The register keeps identifiers unique; min() makes sure no payment could ever match twice.)
supplier_match as (
    select u.supplier_name, u.supplier_id, coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key
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

-- The 2024 district of every LSOA of either vintage, one row per (lsoa_vintage, lsoa_code): a 2011 LSOA
-- takes the district of the 2021 LSOAs it became (min() picks one should a lookup row ever straddle two).
create macro lsoa_lad24() as table
select 2021 as lsoa_vintage, lsoa21_code as lsoa_code, lad24_code
from ref_lsoa21
union all
select 2011 as lsoa_vintage, l.lsoa11_code as lsoa_code, min(r.lad24_code) as lad24_code
from ref_lsoa11_lsoa21 as l
inner join ref_lsoa21 as r using (lsoa21_code)
group by l.lsoa11_code;
