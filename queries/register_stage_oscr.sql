-- stages the Scottish Charity Regulator's register download (CSV) as the temp table register_stage: one row per
-- charity with its 'Known As' name; params: $path, $columns (the header, trimmed, all text)
create or replace temp table register_stage as
with raw as (
    select *
    from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = ',', quote = '"', escape = '"',
        strict_mode = false, null_padding = true)
)

select
    upper(trim("Charity Number")) as entity_id,
    trim("Charity Name") as name,
    nullif(trim("Charity Status"), '') as status,
    coalesce(lower(trim("Charity Status")) not similar to '.*(removed|former|ceased|wound up).*', true) as active,
    nullif(trim("Constitutional Form"), '') as legal_form,
    true as is_vcse,
    cast(null as varchar) as accounts_category,
    cast(null as boolean) as is_sme,
    cast(null as varchar) as address,
    register_postcode("Postcode") as postcode,
    cast(null as varchar) as company_number,
    list_filter([
        {'name': trim("Charity Name"), 'kind': 'current'},
        {'name': trim("Known As"), 'kind': 'other'}
    ], lambda n: coalesce(n.name, '') <> '') as names
from raw
where coalesce(trim("Charity Number"), '') <> '' and coalesce(trim("Charity Name"), '') <> ''
