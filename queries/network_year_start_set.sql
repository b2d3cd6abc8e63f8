-- sets the month one network's year starts in ('calendar' or 'april'); params: $network_id, $year_start
update network
set year_start = $year_start
where network_id = $network_id
