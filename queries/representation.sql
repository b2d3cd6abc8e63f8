-- one row per IMD decile 1..10 of the chosen release: participants starting and jobs filled in the period
-- by people living in the network's area (LSOAs in its districts) in ranked English LSOAs, and those LSOAs'
-- working-age population (IoD2019: File 6 by LSOA 2011; IoD2025: File 6 carried to LSOA 2021).
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

local_lsoa21 as (
    select lsoa21_code
    from ref_lsoa21
    where lad24_code in (select lad24_code from network_lad where network_id = $network_id)
),

-- A 2011 LSOA is local when any of its 2021 pieces is (they share a district, bar three complex changes).
local_lsoa11 as (
    select distinct lk.lsoa11_code
    from ref_lsoa11_lsoa21 as lk
    inner join local_lsoa21 using (lsoa21_code)
),

-- File 6 working-age population (mid-2015, LSOA 2011) carried to LSOA 2021: each 2011 LSOA's population
-- divided equally among the 2021 LSOAs it maps to, then summed per 2021 LSOA (unchanged and merged
-- LSOAs keep or add up whole populations; a split one is shared equally).
population21 as (
    select lk.lsoa21_code, sum(pop.population_working_age / lk.pieces) as population_working_age
    from (
        select lsoa11_code, lsoa21_code, count(*) over (partition by lsoa11_code) as pieces
        from ref_lsoa11_lsoa21
    ) as lk
    inner join ref_population as pop using (lsoa11_code)
    group by lk.lsoa21_code
),

-- The network's ranked LSOAs of the release's own vintage, with their working-age population.
areas as (
    select i.lsoa_code, i.lsoa_vintage, i.imd_decile, p21.population_working_age
    from imd as i
    inner join local_lsoa21 as l on l.lsoa21_code = i.lsoa_code
    left join population21 as p21 on p21.lsoa21_code = i.lsoa_code
    where i.lsoa_vintage = 2021
    union all
    select i.lsoa_code, i.lsoa_vintage, i.imd_decile, pop.population_working_age
    from imd as i
    inner join local_lsoa11 as l on l.lsoa11_code = i.lsoa_code
    left join ref_population as pop on pop.lsoa11_code = i.lsoa_code
    where i.lsoa_vintage = 2011
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
),

population as (
    select imd_decile, sum(population_working_age) as working_age_population
    from areas
    group by all
)

select
    d.imd_decile,
    coalesce(pe.participants, 0) as participants,
    coalesce(pe.jobs_filled, 0) as jobs_filled,
    coalesce(po.working_age_population, 0) as working_age_population
from (select cast(r.range as smallint) as imd_decile from range(1, 11) as r) as d
left join people as pe using (imd_decile)
left join population as po using (imd_decile)
order by d.imd_decile
