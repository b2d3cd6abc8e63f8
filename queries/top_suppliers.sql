-- one row per supplier of the selection's payments, the $limit largest by spend: spend in integer pence, in
-- total, local, in IMD deciles 1-2, of unknown location, with SMEs and with VCSEs. As figures_by_area: active
-- submissions only, and a payment without its own location or flags takes them from the supplier register
-- entry it matches (by identifier, else by normalised name). A supplier is its register entry, else its
-- normalised name; its name and place are those of the largest part of its spend (by payee spelling, place
-- and flags), its flags those of the largest part that has them.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release, $limit
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

-- The selection's payments summed per payee, place and flags: a supplier's payments mostly share them.
payments as (
    select s.supplier_name, s.supplier_id, s.lsoa21_code, s.lsoa11_code, s.nation, s.is_sme, s.is_vcse,
        sum(s.amount_gbp) as spend_gbp
    from spend_month as s
    inner join active using (submission_id)
    where s.network_id = $network_id
        and ($initiative_id is null or s.initiative_id = $initiative_id)
        and ($institution_id is null or s.institution_id = $institution_id)
        and s.month between $date_from and $date_to
    group by all
),

-- The coordinator's supplier register, then the official registers' matches (supplier_register_placed).
register as (
    select supplier_key, supplier_name, supplier_id, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse
    from supplier_register_placed($network_id)
),

-- Each distinct payee matched once, not each payment (the name normalised once too).
supplier_match as (
    select
        u.supplier_name,
        u.supplier_id,
        coalesce(by_id.supplier_key, by_name.supplier_key) as register_key,
        coalesce(by_id.supplier_key, by_name.supplier_key, supplier_key(u.supplier_name)) as supplier_group
    from (select distinct supplier_name, supplier_id from payments) as u
    left join (
        select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
    ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
    left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
),

-- The payment's own location and flags win; the register fills in only what the payment lacks.
located as (
    select
        m.supplier_group,
        coalesce(r.supplier_name, p.supplier_name) as supplier_name,
        if(p.nation is null, r.lsoa21_code, p.lsoa21_code) as lsoa21_code,
        if(p.nation is null, r.lsoa11_code, p.lsoa11_code) as lsoa11_code,
        coalesce(p.nation, r.nation) as nation,
        coalesce(p.is_sme, r.is_sme) as is_sme,
        coalesce(p.is_vcse, r.is_vcse) as is_vcse,
        p.spend_gbp
    from payments as p
    inner join supplier_match as m
        on m.supplier_name = p.supplier_name and m.supplier_id is not distinct from p.supplier_id
    left join register as r on r.supplier_key = m.register_key
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = $network_id
),

-- Amounts as integer pence from here: exact, and faster to sum.
placed as (
    select
        s.supplier_group,
        s.supplier_name,
        s.is_sme,
        s.is_vcse,
        cast(s.spend_gbp * 100 as bigint) as pence,
        imd_area_group(s.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        coalesce(rl.lad24_code in (select lad24_code from local_lads), false) as is_local
    from located as s
    left join ref_lsoa21 as rl using (lsoa21_code)
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = s.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = s.lsoa11_code
),

suppliers as (
    select
        supplier_group,
        arg_max({'supplier_name': supplier_name, 'area_group': area_group, 'is_local': is_local}, pence) as largest,
        arg_max(is_sme, pence) as is_sme,
        arg_max(is_vcse, pence) as is_vcse,
        sum(pence) as spend_pence,
        coalesce(sum(pence) filter (where is_local), 0) as local_pence,
        coalesce(sum(pence) filter (where area_group in ('1', '2')), 0) as deprived_pence,
        coalesce(sum(pence) filter (where area_group = 'unknown'), 0) as unknown_pence,
        coalesce(sum(pence) filter (where is_sme), 0) as sme_pence,
        coalesce(sum(pence) filter (where is_vcse), 0) as vcse_pence
    from placed
    group by supplier_group
)

select
    largest.supplier_name as supplier_name,
    largest.area_group as area_group,
    largest.is_local as is_local,
    * exclude (largest)
from suppliers
order by spend_pence desc, largest.supplier_name
limit $limit
