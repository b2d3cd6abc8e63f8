-- stages one Companies House basic company data CSV (any part) as the temp table register_stage: one row per
-- company with its current and previous names; params: $path, $columns (the header, trimmed, all text)
create or replace temp table register_stage as
with raw as (
    select *
    from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = ',', quote = '"', escape = '"',
        strict_mode = false, null_padding = true)
)

select
    company_number_key("CompanyNumber") as entity_id,
    trim("CompanyName") as name,
    nullif(trim("CompanyStatus"), '') as status,
    coalesce(lower(trim("CompanyStatus")) like 'active%', false) as active,
    nullif(trim("CompanyCategory"), '') as legal_form,
    vcse_legal_form("CompanyCategory") as is_vcse,
    nullif(upper(trim("Accounts.AccountCategory")), '') as accounts_category,
    sme_accounts_category("Accounts.AccountCategory") as is_sme,
    nullif(concat_ws(', ', nullif(trim("RegAddress.AddressLine1"), ''), nullif(trim("RegAddress.PostTown"), '')),
        '') as address,
    register_postcode("RegAddress.PostCode") as postcode,
    cast(null as varchar) as company_number,
    list_filter([
        {'name': trim("CompanyName"), 'kind': 'current'},
        {'name': trim("PreviousName_1.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_2.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_3.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_4.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_5.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_6.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_7.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_8.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_9.CompanyName"), 'kind': 'previous'},
        {'name': trim("PreviousName_10.CompanyName"), 'kind': 'previous'}
    ], lambda n: coalesce(n.name, '') <> '') as names
from raw
where company_number_key("CompanyNumber") is not null and coalesce(trim("CompanyName"), '') <> ''
