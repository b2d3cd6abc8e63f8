-- one row per area group: IMD deciles 1..10 of the chosen release, then Wales, Scotland,
-- Northern Ireland and unknown location; each event counted by its own date; a payment without its
-- own location or flags takes them from the supplier register entry it matches.
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

people as (
    select p.*
    from participant as p
    inner join active using (submission_id)
    where p.network_id = $network_id
        and ($initiative_id is null or p.initiative_id = $initiative_id)
        and ($institution_id is null or p.institution_id = $institution_id)
),

-- The selection's spend per place; a payment without its own location or flags takes them from the
-- supplier register (the spend_located macro, shared with figures_by_lsoa).
spend_by_place as (
    select *
    from spend_located($network_id, $initiative_id, $institution_id, $date_from, $date_to)
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = $network_id
),

-- An English LSOA takes the decile of the release's own LSOA vintage (2021 or 2011).
people_by_area as (
    select
        imd_area_group(p.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        count(*) filter (where p.start_date between $date_from and $date_to) as participants,
        count(*) filter (where p.completion_date between $date_from and $date_to) as completions,
        count(*) filter (where p.job_start_date between $date_from and $date_to) as jobs_filled,
        count(*) filter (
            where p.start_date between $date_from and $date_to and p.job_start_date is not null
        ) as starters_with_job
    from people as p
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
    group by all
),

spend_by_area as (
    select
        imd_area_group(s.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        sum(s.spend_gbp) as spend_gbp,
        sum(s.spend_gbp) filter (where rl.lad24_code in (select lad24_code from local_lads)) as spend_local_gbp,
        sum(s.spend_sme_gbp) as spend_sme_gbp,
        sum(s.spend_sme_known_gbp) as spend_sme_known_gbp,
        sum(s.spend_vcse_gbp) as spend_vcse_gbp,
        sum(s.spend_vcse_known_gbp) as spend_vcse_known_gbp
    from spend_by_place as s
    left join ref_lsoa21 as rl using (lsoa21_code)
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = s.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = s.lsoa11_code
    group by all
),

area_groups as (
    select cast(d as varchar) as area_group, d as sort_order
    from range(1, 11) as t (d)
    union all
    select * from (values ('Wales', 11), ('Scotland', 12), ('Northern Ireland', 13), ('unknown', 14))
)

select
    g.area_group,
    try_cast(g.area_group as integer) as imd_decile,
    coalesce(pa.participants, 0) as participants,
    coalesce(pa.completions, 0) as completions,
    coalesce(pa.jobs_filled, 0) as jobs_filled,
    coalesce(pa.starters_with_job, 0) as starters_with_job,
    coalesce(sa.spend_gbp, 0) as spend_gbp,
    coalesce(sa.spend_local_gbp, 0) as spend_local_gbp,
    coalesce(sa.spend_sme_gbp, 0) as spend_sme_gbp,
    coalesce(sa.spend_sme_known_gbp, 0) as spend_sme_known_gbp,
    coalesce(sa.spend_vcse_gbp, 0) as spend_vcse_gbp,
    coalesce(sa.spend_vcse_known_gbp, 0) as spend_vcse_known_gbp
from area_groups as g
left join people_by_area as pa using (area_group)
left join spend_by_area as sa using (area_group)
order by g.sort_order
