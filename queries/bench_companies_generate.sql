-- bench: $rows companies in the layout of Companies House's basic company data, values only (the header line is
-- written apart): names from a large made-up vocabulary (27,000 first words, a sector word and a
-- made-up last word: nearly every name unique, as the register's are), registered
-- offices drawn from the English reference postcodes, a tenth with a previous name, a twentieth dissolved;
-- params: $rows
with syllables as (
    select ['BRO', 'KAL', 'MER', 'TAN', 'VEL', 'DOR', 'FEN', 'GAR', 'HOL', 'LIN', 'MOR', 'NEV', 'PAR', 'QUIN',
        'RAD', 'SEL', 'TOR', 'ULL', 'VAN', 'WEX', 'YAR', 'ZEN', 'CAS', 'BEL', 'ASH', 'ELM', 'OAK', 'IVY', 'KEN',
        'LOW'] as s,
        ['PROPERTY', 'CONSULTING', 'TRADING', 'BUILDING', 'CATERING', 'CLEANING', 'SECURITY', 'LOGISTICS',
        'ENGINEERING', 'DESIGN', 'MEDIA', 'CARE', 'HEALTH', 'DIGITAL', 'SOLUTIONS', 'SERVICES', 'SUPPLIES',
        'TRANSPORT', 'ELECTRICAL', 'PLUMBING', 'JOINERY', 'LANDSCAPES', 'PRINT', 'TRAINING', 'RECRUITMENT',
        'FINANCE', 'LEGAL', 'ESTATES', 'HOMES', 'FOODS'] as w
),

offices as (
    select postcode, row_number() over (order by postcode) - 1 as n
    from ref_postcode
    where nation = 'England'
),

office_count as (
    select count(*) as total from offices
),

companies as (
    select
        i,
        s[cast(1 + hash(i * 10 + 1) % 30 as bigint)] || s[cast(1 + hash(i * 10 + 2) % 30 as bigint)]
        || s[cast(1 + hash(i * 10 + 3) % 30 as bigint)] || ' ' || w[cast(1 + hash(i * 10 + 4) % 30 as bigint)]
        || ' ' || s[cast(1 + hash(i * 10 + 5) % 30 as bigint)] || lower(s[cast(1 + hash(i * 10 + 6) % 30 as bigint)])
        as base,
        cast(hash(i * 10 + 7) % 100 as bigint) as roll,
        cast(hash(i * 10 + 8) % (select total from office_count) as bigint) as office
    from range($rows) as t (i), syllables
)

select
    c.base || ' LIMITED' as "CompanyName",
    if(c.roll < 8 and c.i < 1000000, 'SC' || lpad(cast(c.i as varchar), 6, '0'), lpad(cast(c.i as varchar), 8, '0'))
        as "CompanyNumber",
    '' as "RegAddress.CareOf", '' as "RegAddress.POBox",
    cast(1 + c.i % 200 as varchar) || ' HIGH STREET' as "RegAddress.AddressLine1", '' as "RegAddress.AddressLine2",
    'TOWN' as "RegAddress.PostTown", '' as "RegAddress.County", 'ENGLAND' as "RegAddress.Country",
    o.postcode as "RegAddress.PostCode",
    if(c.roll = 99, 'Community Interest Company', 'Private Limited Company') as "CompanyCategory",
    if(c.roll >= 95, 'Dissolved', 'Active') as "CompanyStatus",
    'United Kingdom' as "CountryOfOrigin", '' as "DissolutionDate", '01/01/2015' as "IncorporationDate",
    '31' as "Accounts.AccountRefDay", '3' as "Accounts.AccountRefMonth", '31/12/2026' as "Accounts.NextDueDate",
    '31/03/2025' as "Accounts.LastMadeUpDate",
    ['MICRO ENTITY', 'TOTAL EXEMPTION FULL', 'SMALL', 'FULL', 'DORMANT'][cast(1 + c.roll % 5 as bigint)] as "Accounts.AccountCategory",
    '' as "Returns.NextDueDate", '' as "Returns.LastMadeUpDate",
    '0' as "Mortgages.NumMortCharges", '0' as "Mortgages.NumMortOutstanding", '0' as "Mortgages.NumMortPartSatisfied",
    '0' as "Mortgages.NumMortSatisfied",
    '70229 - Management consultancy activities other than financial management' as "SICCode.SicText_1",
    '' as "SICCode.SicText_2", '' as "SICCode.SicText_3", '' as "SICCode.SicText_4",
    '0' as "LimitedPartnerships.NumGenPartners", '0' as "LimitedPartnerships.NumLimPartners",
    'http://business.data.gov.uk/id/company/' || lpad(cast(c.i as varchar), 8, '0') as "URI",
    if(c.roll < 10, '01/06/2014', '') as "PreviousName_1.CONDATE",
    if(c.roll < 10, c.base || ' HOLDINGS LIMITED', '') as "PreviousName_1.CompanyName",
    '' as p2d, '' as p2n, '' as p3d, '' as p3n, '' as p4d, '' as p4n, '' as p5d, '' as p5n, '' as p6d, '' as p6n,
    '' as p7d, '' as p7n, '' as p8d, '' as p8n, '' as p9d, '' as p9n, '' as p10d, '' as p10n,
    '01/01/2027' as "ConfStmtNextDueDate", '01/01/2026' as "ConfStmtLastMadeUpDate"
from companies as c
inner join offices as o on o.n = c.office
