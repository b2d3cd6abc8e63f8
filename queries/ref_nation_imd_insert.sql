-- inserts the registered frame ref_rows (one row per Welsh LSOA 2011 or Scottish data zone per index) into
-- ref_nation_imd; params: none
insert into ref_nation_imd by name
select index_name, nation, area_code, area_name, lad_code, lad_name, rank, decile,
    population_total, population_working_age
from ref_rows
