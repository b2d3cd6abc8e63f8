-- inserts the registered frame ref_rows (one row per LSOA 2011) into ref_lsoa11; params: none
insert into ref_lsoa11 by name
select lsoa11_code, lsoa11_name, ward19_code, ward19_name, lad19_code, lad19_name
from ref_rows
