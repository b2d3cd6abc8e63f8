-- one row if the institution belongs to the network, none otherwise (left_on: the day it left, null while a member);
-- params: $network_id, $institution_id
select institution_id, name, institution_type, left_on
from institution
where network_id = $network_id and institution_id = $institution_id
