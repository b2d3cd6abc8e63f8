-- one row per member institution of the network; params: $network_id
select institution_id, name, institution_type
from institution
where network_id = $network_id
order by name
