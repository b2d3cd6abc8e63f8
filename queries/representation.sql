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
        count(*) filter (where p.start_date between $date_from and $date_to) as participants,
        count(*) filter (where p.job_start_date between $date_from and $date_to) as jobs_filled
    from selection_people($network_id, $initiative_id, $institution_id) as p
    left join areas as a21 on a21.lsoa_vintage = 2021 and a21.lsoa_code = p.lsoa21_code
    left join areas as a11 on a11.lsoa_vintage = 2011 and a11.lsoa_code = p.lsoa11_code
    where coalesce(a21.imd_decile, a11.imd_decile) is not null
    group by all
)

select
    d.imd_decile,
    coalesce(pe.participants, 0) as participants,
    coalesce(pe.jobs_filled, 0) as jobs_filled
from (select cast(r.range as smallint) as imd_decile from range(1, 11) as r) as d
left join people as pe using (imd_decile)
order by d.imd_decile
