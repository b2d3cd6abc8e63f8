-- a coordinator's decision on one candidate: confirmed or rejected; confirming one rejects the supplier's
-- other candidates; params: $network_id, $supplier_key, $register, $entity_id, $status, $decided_by
update register_match
set
    status = if(register = $register and entity_id = $entity_id, $status, 'rejected'),
    decided_by = $decided_by,
    decided_at = current_timestamp
where network_id = $network_id and supplier_key = $supplier_key and status <> 'none'
    and (
        (register = $register and entity_id = $entity_id)
        or ($status = 'confirmed' and status in ('automatic', 'proposed', 'confirmed'))
    )
