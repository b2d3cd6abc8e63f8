-- one row per IMD decile 1..10 of the chosen release: participants starting and jobs filled in the period
-- by people living in the network's area (LSOAs in its districts) in ranked English LSOAs (the working-age
-- population beside them: representation_population.sql).
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release
with areas as (
    select lsoa_code, lsoa_vintage, imd_decile
    from network_local_areas($network_id, $imd_release)
),

people as (
    select
        coalesce(a21.imd_decile, a11.imd_decile) as imd_decile,
        cast(coalesce(sum(e.people) filter (
            where e.measure = 'participants' and e.event_date between $date_from and $date_to), 0) as bigint)
            as participants,
        cast(coalesce(sum(e.people) filter (
            where e.measure = 'jobs_filled' and e.event_date between $date_from and $date_to), 0) as bigint)
            as jobs_filled
    from people_events($network_id, $initiative_id, $institution_id) as e
    left join areas as a21 on a21.lsoa_vintage = 2021 and a21.lsoa_code = e.lsoa21_code
    left join areas as a11 on a11.lsoa_vintage = 2011 and a11.lsoa_code = e.lsoa11_code
    where coalesce(a21.imd_decile, a11.imd_decile) is not null and e.measure in ('participants', 'jobs_filled')
    group by all
)

select
    d.imd_decile,
    coalesce(pe.participants, 0) as participants,
    coalesce(pe.jobs_filled, 0) as jobs_filled
from (select cast(r.range as smallint) as imd_decile from range(1, 11) as r) as d
left join people as pe using (imd_decile)
order by d.imd_decile
