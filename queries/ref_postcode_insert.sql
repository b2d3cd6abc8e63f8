-- inserts the registered frame ref_rows (one row per postcode) into ref_postcode; params: none
insert into ref_postcode by name
select postcode, lsoa21_code, lsoa11_code, nation, lsoa_method, data_zone_code
from ref_rows
