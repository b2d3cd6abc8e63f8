-- one row if the network exists: its retention rule's years (null without one), without counting what is due
-- (retention_rules.sql does); params: $network_id
select n.network_id, r.keep_years
from network as n
left join network_retention as r using (network_id)
where n.network_id = $network_id
