-- the month one network's year starts in ('calendar' or 'april'; 'calendar' when the network is unknown);
-- params: $network_id
select coalesce(max(year_start), 'calendar') as year_start
from network
where network_id = $network_id
