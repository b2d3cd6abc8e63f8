-- one row per source file of the loaded reference data, with its checksum; params: none
select file_path, sha256
from ref_source
order by file_path
