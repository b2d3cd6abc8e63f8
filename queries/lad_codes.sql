-- one row per local authority district (May 2024) in the UK; params: none
select lad24_code, lad24_name, nation
from ref_lad
order by lad24_code
