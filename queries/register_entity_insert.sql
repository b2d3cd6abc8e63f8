-- adds the staged organisations to the register, located through the reference postcodes (a BT postcode is
-- Northern Ireland); an organisation already in it (another part of the release) is kept; returns the count
-- staged; params: $register, $sha256
insert into register_entity
select
    $register,
    s.entity_id,
    s.name,
    s.status,
    s.active,
    s.legal_form,
    s.is_vcse,
    s.accounts_category,
    s.is_sme,
    s.address,
    s.postcode,
    p.lsoa21_code,
    p.lsoa11_code,
    if(s.postcode like 'BT%', 'Northern Ireland', p.nation) as nation,
    s.company_number,
    $sha256
from register_stage as s
left join ref_postcode as p using (postcode)
where s.name is not null
    and s.entity_id not in (select entity_id from register_entity where register = $register)
qualify row_number() over (partition by s.entity_id order by s.active desc, s.name) = 1
