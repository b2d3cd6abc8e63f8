-- one row per nation and LSOA method of the postcodes in ref_postcode; params: none
select nation, lsoa_method, count(*) as postcode_count
from ref_postcode
group by nation, lsoa_method
order by nation, lsoa_method
