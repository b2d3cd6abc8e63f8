-- one row per supplier in the network's register, by supplier key; params: $network_id
select supplier_key, supplier_name, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation,
    is_sme, is_vcse, updated_at, updated_by
from supplier_register
where network_id = $network_id
order by supplier_key
