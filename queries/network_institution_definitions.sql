-- one row per institution of the network as its definition holds it, left_on null while still a member;
-- params: $network_id
select institution_id, name, institution_type, left_on
from institution
where network_id = $network_id
order by institution_id
