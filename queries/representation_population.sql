-- one row per IMD decile 1..10 of the chosen release: the working-age population of the network's area (LSOAs in
-- its districts) in ranked English LSOAs (IoD2019: File 6 by LSOA 2011; IoD2025: File 6 carried to LSOA 2021,
-- ref_population21 of migration 028). Summed as decimals, so the sums are the same whatever order the rows are
-- added in (a sum of doubles can differ in its last digit).
-- Depends only on the reference data and the network's districts. params: $network_id, $imd_release
with areas as (
    select
        a.lsoa_code,
        a.lsoa_vintage,
        a.imd_decile,
        if(a.lsoa_vintage = 2021, p21.population_working_age, cast(pop.population_working_age as decimal(38, 9)))
            as population_working_age
    from network_local_areas($network_id, $imd_release) as a
    left join ref_population21 as p21 on a.lsoa_vintage = 2021 and p21.lsoa21_code = a.lsoa_code
    left join ref_population as pop on a.lsoa_vintage = 2011 and pop.lsoa11_code = a.lsoa_code
),

population as (
    select imd_decile, sum(population_working_age) as working_age_population
    from areas
    group by all
)

select
    d.imd_decile,
    cast(coalesce(po.working_age_population, 0) as double) as working_age_population
from (select cast(r.range as smallint) as imd_decile from range(1, 11) as r) as d
left join population as po using (imd_decile)
order by d.imd_decile
