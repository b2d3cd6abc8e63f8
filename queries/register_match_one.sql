-- one candidate register entry of a network's supplier, with its status; params: $network_id, $supplier_key,
-- $register, $entity_id
select supplier_key, register, entity_id, method, score, status
from register_match
where network_id = $network_id and supplier_key = $supplier_key and register = $register and entity_id = $entity_id
    and status <> 'none'
