-- stages one Charity Commission register extract (publicextract.charity.txt, tab-separated, unquoted) as the
-- temp table register_stage: one row per charity, a linked charity as '<number>-<linked number>';
-- params: $path, $columns (the header, trimmed, all text)
create or replace temp table register_stage as
with raw as (
    select *
    from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = '\t', quote = '', escape = '',
        strict_mode = false, null_padding = true)
)

select
    case when coalesce(trim(linked_charity_number), '') in ('', '0') then trim(registered_charity_number)
        else trim(registered_charity_number) || '-' || trim(linked_charity_number) end as entity_id,
    trim(charity_name) as name,
    nullif(trim(charity_registration_status), '') as status,
    coalesce(lower(trim(charity_registration_status)) = 'registered', false) as active,
    nullif(trim(charity_type), '') as legal_form,
    true as is_vcse,
    cast(null as varchar) as accounts_category,
    cast(null as boolean) as is_sme,
    nullif(concat_ws(', ', nullif(trim(charity_contact_address1), ''), nullif(trim(charity_contact_address2), '')),
        '') as address,
    register_postcode(charity_contact_postcode) as postcode,
    company_number_key(charity_company_registration_number) as company_number,
    [{'name': trim(charity_name), 'kind': 'current'}] as names
from raw
where regexp_matches(trim(registered_charity_number), '^[0-9]+$') and coalesce(trim(charity_name), '') <> ''
