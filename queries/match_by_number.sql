-- register entries whose number is an identifier given for a supplier (a Companies House number however
-- padded, or a charity number), with every name they are known by; the registered frame match_ids holds
-- (supplier_key, supplier_id); params: none
with found as (
    select i.supplier_key, e.register, e.entity_id, e.active
    from match_ids as i
    inner join register_entity as e on e.entity_id = company_number_key(i.supplier_id)
    union
    select i.supplier_key, e.register, e.entity_id, e.active
    from match_ids as i
    inner join register_entity as e on e.entity_id = i.supplier_id
)

select f.supplier_key, f.register, f.entity_id, f.active, n.name_key, n.kind
from found as f
inner join register_name as n using (register, entity_id)
order by all
