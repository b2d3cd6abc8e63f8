-- one row per network (none for an unknown network): its disclosure threshold; params: $network_id
select disclosure_threshold
from network
where network_id = $network_id
