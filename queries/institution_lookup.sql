-- one row if the institution belongs to the network, none otherwise; params: $network_id, $institution_id
select institution_id, name, institution_type
from institution
where network_id = $network_id and institution_id = $institution_id
