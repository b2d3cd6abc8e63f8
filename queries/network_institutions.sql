-- one row per member institution of the network (left_on: the day it left, null while a member); params: $network_id
select institution_id, name, institution_type, left_on
from institution
where network_id = $network_id
order by name
