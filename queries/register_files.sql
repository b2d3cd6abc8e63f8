-- the files loaded of one register, with their release date and sha256; params: $register
select file_name, sha256, release_date, entries, synthetic, loaded_at
from register_file
where register = $register
order by file_name
