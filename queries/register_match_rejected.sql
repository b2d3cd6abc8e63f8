-- the register entries a coordinator rejected for a network's suppliers; params: $network_id
select supplier_key, register, entity_id
from register_match
where network_id = $network_id and status = 'rejected'
