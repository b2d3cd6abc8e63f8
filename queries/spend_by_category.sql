-- one row per expenditure category of the selection's
-- payments: spend in integer pence, in total, local, in IMD deciles 1-2, of unknown location, with SMEs and
-- with VCSEs. As figures_by_area: active submissions only, each payment in the quarter of its own date, and a
-- payment without its own location or flags takes them from the supplier register entry it matches (by
-- identifier, else by normalised name).
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

-- The selection's payments; inlined into each use below rather than copied.
payments as not materialized (
    select
        s.institution_id,
        s.category,
        s.lsoa21_code,
        s.lsoa11_code,
        s.nation,
        s.is_sme,
        s.is_vcse,
        s.supplier_name,
        s.supplier_id,
        s.amount_gbp
    from spend_month as s
    inner join active using (submission_id)
    where s.network_id = $network_id
        and ($initiative_id is null or s.initiative_id = $initiative_id)
        and ($institution_id is null or s.institution_id = $institution_id)
        and s.month between $date_from and $date_to
),

-- Payments summed per breakdown and place first, so the joins below touch far fewer rows.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        institution_id, category, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse,
        sum(amount_gbp) as spend_gbp
    from payments
    where nation is not null and is_sme is not null and is_vcse is not null
    group by all
),

-- The rest, summed per supplier too. Three disjoint 'is null' filters rather than one 'or', as figures_by_area.
spend_to_match as (
    select
        institution_id, category, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, supplier_name,
        supplier_id, sum(amount_gbp) as spend_gbp
    from (
        select * from payments where nation is null
        union all
        select * from payments where nation is not null and is_sme is null
        union all
        select * from payments where nation is not null and is_sme is not null and is_vcse is null
    )
    group by all
),

-- The coordinator's supplier register, then the official registers' matches (supplier_register_placed).
register as (
    select supplier_key, supplier_id, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse
    from supplier_register_placed($network_id)
),

-- Each distinct supplier matched once: by identifier first, else by normalised name.
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
        s.institution_id,
        s.category,
        if(s.nation is null, r.lsoa21_code, s.lsoa21_code) as lsoa21_code,
        if(s.nation is null, r.lsoa11_code, s.lsoa11_code) as lsoa11_code,
        coalesce(s.nation, r.nation) as nation,
        coalesce(s.is_sme, r.is_sme) as is_sme,
        coalesce(s.is_vcse, r.is_vcse) as is_vcse,
        sum(s.spend_gbp) as spend_gbp
    from spend_to_match as s
    left join supplier_match as m
        on m.supplier_name = s.supplier_name and m.supplier_id is not distinct from s.supplier_id
    left join register as r on r.supplier_key = m.supplier_key
    group by all
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = $network_id
),

-- Amounts as integer pence from here: exact, and faster to sum.
placed as (
    select
        s.institution_id,
        s.category,
        s.is_sme,
        s.is_vcse,
        cast(s.spend_gbp * 100 as bigint) as pence,
        imd_area_group(s.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        coalesce(rl.lad24_code in (select lad24_code from local_lads), false) as is_local
    from (select * from spend_complete union all by name select * from spend_matched) as s
    left join ref_lsoa21 as rl using (lsoa21_code)
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = s.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = s.lsoa11_code
)

select
    category,
    sum(pence) as spend_pence,
    coalesce(sum(pence) filter (where is_local), 0) as local_pence,
    coalesce(sum(pence) filter (where area_group in ('1', '2')), 0) as deprived_pence,
    coalesce(sum(pence) filter (where area_group = 'unknown'), 0) as unknown_pence,
    coalesce(sum(pence) filter (where is_sme), 0) as sme_pence,
    coalesce(sum(pence) filter (where is_vcse), 0) as vcse_pence
from placed
group by category
order by all
