-- one row per network with a public read-only view; params: none
select a.network_id
from network_access as a
inner join network as n on n.network_id = a.network_id
where a.public_view
order by a.network_id
