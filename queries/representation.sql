-- one row per IMD decile 1..10 of the chosen release: participants starting and jobs filled in the period
-- by people living in the network's area (LSOAs in its districts) in ranked English LSOAs (the working-age
-- population beside them: representation_population.sql); read from the summaries by place (place_month).
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
with areas as (
    select lsoa_code, lsoa_vintage, imd_decile
    from network_local_areas($network_id, $imd_release)
),

people as (
    select
        coalesce(a21.imd_decile, a11.imd_decile) as imd_decile,
        cast(sum(p.participants) as bigint) as participants,
        cast(sum(p.jobs_filled) as bigint) as jobs_filled
    from place_selection($network_id, $initiative_id, $institution_id, $date_from, $date_to) as p
    left join areas as a21 on a21.lsoa_vintage = 2021 and a21.lsoa_code = p.lsoa21_code
    left join areas as a11 on a11.lsoa_vintage = 2011 and a11.lsoa_code = p.lsoa11_code
    where coalesce(a21.imd_decile, a11.imd_decile) is not null and p.spend_gbp is null
    group by all
)

select
    d.imd_decile,
    coalesce(pe.participants, 0) as participants,
    coalesce(pe.jobs_filled, 0) as jobs_filled
from (select cast(r.range as smallint) as imd_decile from range(1, 11) as r) as d
left join people as pe using (imd_decile)
order by d.imd_decile
