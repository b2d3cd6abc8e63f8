-- inserts the registered frame ref_rows (one row per source file) into ref_source, stamped now; params: none
insert into ref_source by name
select dataset, file_path, sha256, current_timestamp as loaded_at
from ref_rows
