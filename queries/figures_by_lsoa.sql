-- one row per English LSOA of the IMD release's own vintage (2021 or 2011) where the selection has any figure:
-- its people and spend placed in it; each event counted by its own date, as in figures_by_area (whose deciles
-- these rows add up to). The map's areas themselves: lsoa_areas.sql.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release
with imd as (
    select lsoa_code, lsoa_vintage
    from ref_imd
    where imd_release = $imd_release
),

-- An English row takes the LSOA of the release's own vintage, exactly as figures_by_area finds its decile.
people_by_lsoa as (
    select
        coalesce(i21.lsoa_code, i11.lsoa_code) as lsoa_code,
        cast(coalesce(sum(e.people) filter (
            where e.measure = 'participants' and e.event_date between $date_from and $date_to), 0) as bigint)
            as participants,
        cast(coalesce(sum(e.people) filter (
            where e.measure = 'completions' and e.event_date between $date_from and $date_to), 0) as bigint)
            as completions,
        cast(coalesce(sum(e.people) filter (
            where e.measure = 'jobs_filled' and e.event_date between $date_from and $date_to), 0) as bigint)
            as jobs_filled
    from people_events($network_id, $initiative_id, $institution_id) as e
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = e.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = e.lsoa11_code
    where e.nation = 'England' and e.measure in ('participants', 'completions', 'jobs_filled')
    group by all
),

spend_by_lsoa as (
    select coalesce(i21.lsoa_code, i11.lsoa_code) as lsoa_code, sum(s.spend_gbp) as spend_gbp
    from spend_located($network_id, $initiative_id, $institution_id, $date_from, $date_to) as s
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = s.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = s.lsoa11_code
    where s.nation = 'England'
    group by all
)

select
    lsoa_code,
    coalesce(pl.participants, 0) as participants,
    coalesce(pl.completions, 0) as completions,
    coalesce(pl.jobs_filled, 0) as jobs_filled,
    coalesce(sl.spend_gbp, 0) as spend_gbp
from people_by_lsoa as pl
full outer join spend_by_lsoa as sl using (lsoa_code)
where lsoa_code is not null
