-- one row per institution of the network that has at least one submission; params: $network_id
select distinct institution_id
from submission
where network_id = $network_id
