-- inserts the registered frame ref_rows (one row per LSOA 2021) into ref_lsoa21; params: none
insert into ref_lsoa21 by name
select lsoa21_code, lsoa21_name, ward24_code, ward24_name, lad24_code, lad24_name, nation
from ref_rows
