-- adds or replaces one register entry per row of the registered frame incoming_suppliers (already
-- checked and located); the key is computed here, by the macro the figures match with;
-- params: $network_id, $updated_by
insert into supplier_register (network_id, supplier_key, supplier_name, supplier_id, supplier_postcode,
    lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, updated_at, updated_by)
select
    $network_id,
    supplier_key(supplier_name),
    supplier_name,
    cast(supplier_id as varchar),
    cast(supplier_postcode as varchar),
    cast(lsoa21_code as varchar),
    cast(lsoa11_code as varchar),
    nation,
    cast(is_sme as boolean),
    cast(is_vcse as boolean),
    current_timestamp,
    $updated_by
from incoming_suppliers
on conflict (network_id, supplier_key) do update set
    supplier_name = excluded.supplier_name,
    supplier_id = excluded.supplier_id,
    supplier_postcode = excluded.supplier_postcode,
    lsoa21_code = excluded.lsoa21_code,
    lsoa11_code = excluded.lsoa11_code,
    nation = excluded.nation,
    is_sme = excluded.is_sme,
    is_vcse = excluded.is_vcse,
    updated_at = excluded.updated_at,
    updated_by = excluded.updated_by
