-- register entries known by exactly a supplier's normalised name (current, previous or other name); the
-- registered frame match_keys holds (supplier_key); params: none
select k.supplier_key, n.register, n.entity_id, n.kind, e.active, e.company_number
from match_keys as k
inner join register_name as n on n.name_key = k.supplier_key
inner join register_entity as e using (register, entity_id)
order by all
