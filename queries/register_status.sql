-- every register file loaded, newest release first; params: none
select register, release_date, file_name, entries, synthetic, loaded_at
from register_file
order by register, release_date desc, file_name
