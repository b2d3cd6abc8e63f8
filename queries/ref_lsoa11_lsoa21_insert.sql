-- inserts the registered frame ref_rows (one row per LSOA 2011 / LSOA 2021 pair) into ref_lsoa11_lsoa21; params: none
insert into ref_lsoa11_lsoa21 by name
select lsoa11_code, lsoa21_code, change_code, lad22_code
from ref_rows
