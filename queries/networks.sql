-- one row per network, by name; params: none
select network_id, name, description, is_demo, updated_at
from network
order by name
