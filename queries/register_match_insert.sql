-- adds the registered frame match_rows (supplier_key, register, entity_id, method, score, status) to a
-- network's matches; params: $network_id
insert into register_match (network_id, supplier_key, register, entity_id, method, score, status)
select $network_id, supplier_key, register, entity_id, method, score, status
from match_rows
