-- one row per IMD decile 1..10 of the chosen release: the working-age population of the network's area (LSOAs in
-- its districts) in ranked English LSOAs (IoD2019: File 6 by LSOA 2011; IoD2025: File 6 carried to LSOA 2021).
-- Depends only on the reference data and the network's districts. params: $network_id, $imd_release
-- File 6 working-age population (mid-2015, LSOA 2011) carried to LSOA 2021: each 2011 LSOA's population
-- divided equally among the 2021 LSOAs it maps to, then summed per 2021 LSOA (unchanged and merged
-- LSOAs keep or add up whole populations; a split one is shared equally). Summed as decimals, so the sums are
-- the same whatever order the rows are added in (a sum of doubles can differ in its last digit).
with local_areas as (
    select lsoa_code, lsoa_vintage, imd_decile
    from network_local_areas($network_id, $imd_release)
),

-- The 2011 LSOAs with a piece among the area's 2021 LSOAs, each with every one of its pieces (local or not): a
-- 2011 LSOA's people are shared equally among its pieces.
pieces as (
    select lsoa11_code, lsoa21_code, count(*) over (partition by lsoa11_code) as pieces
    from ref_lsoa11_lsoa21
    where lsoa11_code in (
        select lk.lsoa11_code
        from ref_lsoa11_lsoa21 as lk
        inner join local_areas as a on a.lsoa_vintage = 2021 and a.lsoa_code = lk.lsoa21_code
    )
),

population21 as (
    select lk.lsoa21_code, sum(cast(pop.population_working_age / lk.pieces as decimal(38, 9))) as population_working_age
    from pieces as lk
    inner join ref_population as pop using (lsoa11_code)
    group by lk.lsoa21_code
),

areas as (
    select
        a.lsoa_code,
        a.lsoa_vintage,
        a.imd_decile,
        if(a.lsoa_vintage = 2021, p21.population_working_age, cast(pop.population_working_age as decimal(38, 9)))
            as population_working_age
    from local_areas as a
    left join population21 as p21 on a.lsoa_vintage = 2021 and p21.lsoa21_code = a.lsoa_code
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
