-- the lead institution of an initiative (zero or one row); params: $network_id, $initiative_id
select lead_institution_id
from initiative
where network_id = $network_id and initiative_id = $initiative_id
