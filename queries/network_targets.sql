-- a network's targets, the network's own first, then each initiative's, by deadline; params: $network_id
select target_id, nullif(initiative_id, '') as initiative_id, measure, target_value, direction, from_quarter,
    deadline
from target
where network_id = $network_id
order by nullif(initiative_id, '') nulls first, deadline, target_id
