-- one row per dataset the reference data was loaded from; params: none
select dataset, count(*) as file_count, min(file_path) as first_file, max(loaded_at) as loaded_at
from ref_source
group by dataset
order by dataset
