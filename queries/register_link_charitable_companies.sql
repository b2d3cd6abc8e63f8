-- a company the Charity Commission lists as a registered charity's company is a VCSE (a charitable company),
-- as is one of a VCSE legal form; params: none
update register_entity as e
set is_vcse = vcse_legal_form(e.legal_form) or e.entity_id in (
    select company_number
    from register_entity
    where register = 'charity_commission' and active and company_number is not null
)
where e.register = 'companies_house'
    and e.is_vcse is distinct from (vcse_legal_form(e.legal_form) or e.entity_id in (
        select company_number
        from register_entity
        where register = 'charity_commission' and active and company_number is not null
    ))
