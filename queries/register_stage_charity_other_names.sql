-- stages the Charity Commission's other names (publicextract.charity_other_names.txt) as the temp table
-- register_stage: names only, for charities of the main extract; params: $path, $columns
create or replace temp table register_stage as
with raw as (
    select *
    from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = '\t', quote = '', escape = '',
        strict_mode = false, null_padding = true)
)

select
    case when coalesce(trim(linked_charity_number), '') in ('', '0') then trim(registered_charity_number)
        else trim(registered_charity_number) || '-' || trim(linked_charity_number) end as entity_id,
    cast(null as varchar) as name,
    cast(null as varchar) as status,
    false as active,
    cast(null as varchar) as legal_form,
    true as is_vcse,
    cast(null as varchar) as accounts_category,
    cast(null as boolean) as is_sme,
    cast(null as varchar) as address,
    cast(null as varchar) as postcode,
    cast(null as varchar) as company_number,
    [{
        'name': trim(charity_name),
        'kind': if(lower(charity_name_type) like '%previous%' or lower(charity_name_type) like '%former%',
            'previous', 'other')
    }] as names
from raw
where regexp_matches(trim(registered_charity_number), '^[0-9]+$') and coalesce(trim(charity_name), '') <> ''
