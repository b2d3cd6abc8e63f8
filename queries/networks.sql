-- one row per network, by name; params: none
select network_id, name, description, is_demo, updated_at, coalesce(year_start, 'calendar') as year_start
from network
order by name
