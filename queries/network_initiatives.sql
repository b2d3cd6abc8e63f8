-- one row per initiative of the network; params: $network_id
select initiative_id, name, lead_institution_id, start_date, end_date, description
from initiative
where network_id = $network_id
order by start_date, name
