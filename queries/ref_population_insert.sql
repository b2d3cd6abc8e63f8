-- inserts the registered frame ref_rows (one row per LSOA 2011) into ref_population; params: none
insert into ref_population by name
select lsoa11_code, population_total, population_working_age
from ref_rows
