-- one row per Welsh or Scottish deprivation index loaded, with its area count and decile sizes; params: none
select
    index_name,
    nation,
    count(*) as area_count,
    min(rank) as min_rank,
    max(rank) as max_rank,
    max(rank) filter (where decile = 1) as last_rank_in_decile_1,
    count(population_working_age) > 0 as has_population
from ref_nation_imd
group by index_name, nation
order by nation desc
