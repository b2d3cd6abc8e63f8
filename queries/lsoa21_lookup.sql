-- one row per known LSOA 2021 code in the registered frame lsoa_input, with its nation and best-fit LSOA 2011
-- (for a 2021 LSOA formed by merging, the 2011 parent with the largest population); params: none
with parents as (
    select lk.lsoa21_code, lk.lsoa11_code, coalesce(pop.population_total, 0) as population_total
    from ref_lsoa11_lsoa21 as lk
    left join ref_population as pop using (lsoa11_code)
),

best_fit as (
    select lsoa21_code, arg_max(lsoa11_code, population_total) as lsoa11_code
    from parents
    group by lsoa21_code
)

select li.lsoa21_code, rl.nation, best_fit.lsoa11_code
from lsoa_input as li
inner join ref_lsoa21 as rl using (lsoa21_code)
left join best_fit using (lsoa21_code)
