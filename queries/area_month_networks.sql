-- every network, for rewriting all their summaries (the reference data or the national registers
-- changed); params: none
select network_id
from network
order by network_id
