-- one row per IoD release loaded; params: none
select imd_release, lsoa_vintage, count(*) as lsoa_count, count(distinct lad_code) as lad_count
from ref_imd
group by imd_release, lsoa_vintage
order by imd_release desc
