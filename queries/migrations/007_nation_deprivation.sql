-- Wales's and Scotland's own deprivation indices, each ranked within its nation and never pooled
-- with England's: WIMD 2019 by LSOA 2011, SIMD 2020v2 by data zone 2011.
create table ref_nation_imd (
    index_name varchar not null,       -- 'WIMD2019' | 'SIMD2020v2'
    nation varchar not null,           -- 'Wales' | 'Scotland'
    area_code varchar not null,        -- LSOA 2011 (W01...) or data zone 2011 (S01...)
    area_name varchar,                 -- null where the publisher gives none (SIMD data zones)
    lad_code varchar,                  -- null where the publisher gives only a name (SIMD council areas)
    lad_name varchar not null,
    rank integer not null,             -- 1 = most deprived in that nation
    decile smallint not null,          -- 1 = most deprived 10% of that nation's areas
    population_total double,           -- null when the release publishes none (WIMD)
    population_working_age double
);

-- A Scottish postcode's data zone, known only when the ONS postcode lookup (NSPL/ONSPD) was loaded.
alter table ref_postcode add column data_zone_code varchar;

-- The people of a selection: rows of its network's active submissions, filtered by initiative and
-- institution (null = all). Dates are left to the caller: each event is counted by its own date.
create macro selection_people(network, initiative, institution) as table
    select p.*
    from participant as p
    inner join submission as s using (submission_id)
    where s.network_id = network and s.status = 'active'
        and (initiative is null or p.initiative_id = initiative)
        and (institution is null or p.institution_id = institution);

-- The located payments of a selection, one row per place and supplier postcode, as figures_by_area
-- places them: a payment's own location wins; one without a location takes its supplier register
-- entry's (matched by identifier, else by normalised name); otherwise it stays unlocated.
create macro selection_payments_located(network, initiative, institution, date_from, date_to) as table
    with payments as (
        select sp.lsoa21_code, sp.lsoa11_code, sp.nation, sp.supplier_postcode, sp.supplier_name, sp.supplier_id,
            sp.amount_gbp
        from spend as sp
        inner join submission as s using (submission_id)
        where s.network_id = network and s.status = 'active'
            and (initiative is null or sp.initiative_id = initiative)
            and (institution is null or sp.institution_id = institution)
            and sp.payment_date between date_from and date_to
    ),

    register as (
        select supplier_key, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation
        from supplier_register
        where network_id = network
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
