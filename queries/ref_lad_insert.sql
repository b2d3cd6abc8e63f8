-- inserts the registered frame ref_rows (one row per local authority district, May 2024) into ref_lad; params: none
insert into ref_lad by name
select lad24_code, lad24_name, nation
from ref_rows
