-- inserts the registered frame ref_rows (one row per LSOA per IoD release) into ref_imd; params: none
insert into ref_imd by name
select imd_release, lsoa_vintage, lsoa_code, lsoa_name, lad_code, lad_name, imd_rank, imd_decile
from ref_rows
