-- the register entries that place a network's suppliers (automatic and confirmed matches), with the entry's
-- details and who confirmed it; params: $network_id
select
    m.supplier_key,
    m.register,
    m.entity_id,
    m.method,
    m.score,
    m.status,
    m.decided_by,
    m.decided_at,
    e.name as entity_name,
    e.status as entity_status,
    e.legal_form,
    e.postcode,
    e.nation,
    e.is_sme,
    e.is_vcse,
    e.accounts_category
from register_match as m
inner join register_entity as e using (register, entity_id)
where m.network_id = $network_id and m.status in ('automatic', 'confirmed')
order by m.supplier_key
