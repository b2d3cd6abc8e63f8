-- stages the FCA Mutuals Public Register's society list (CSV) as the temp table register_stage: one row per
-- co-operative or community benefit society, its postcode the end of its address;
-- params: $path, $columns (the header, trimmed, all text)
create or replace temp table register_stage as
with raw as (
    select *
    from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = ',', quote = '"', escape = '"',
        strict_mode = false, null_padding = true)
)

select
    upper(trim("Society Number") || coalesce(trim("Society Suffix"), '')) as entity_id,
    trim("Society Name") as name,
    nullif(trim("Society Status"), '') as status,
    coalesce(lower(trim("Society Status")) = 'registered', false) as active,
    nullif(trim("Registered As"), '') as legal_form,
    true as is_vcse,
    cast(null as varchar) as accounts_category,
    cast(null as boolean) as is_sme,
    nullif(trim(regexp_replace("Society Address", ',?[^,]*$', '')), '') as address,
    register_postcode(regexp_extract("Society Address", '([A-Za-z]{1,2}[0-9][A-Za-z0-9]? *[0-9][A-Za-z]{2}) *$', 1))
        as postcode,
    cast(null as varchar) as company_number,
    [{'name': trim("Society Name"), 'kind': 'current'}] as names
from raw
where coalesce(trim("Society Number"), '') <> '' and coalesce(trim("Society Name"), '') <> ''
