-- The official registers of organisations (Companies House, the Charity Commission for England and Wales,
-- the Scottish Charity Regulator), loaded from their files as published, and each network's suppliers
-- matched against them. A match places spend whose payments carry a supplier's name but no postcode.

-- Accents folded and apostrophes and full stops dropped. translate() is slow, so a name that is plain ASCII (nearly
-- all of them) only has its apostrophes, backticks and full stops removed, which is what translate() would do to it.
create macro fold_name(text) as
    if(
        regexp_matches(text, '[^\x00-\x7f]'),
        translate(
            text,
            'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ''’‘`.',
            'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy'
        ),
        regexp_replace(text, '[''`.]', '', 'g')
    );

-- One supplier however it is written, now also without '(UK)' and a trading-as tail ('T/A Widgets'):
-- dashboard.suppliers.supplier_key is the same function in Python; a test keeps them equal.
create or replace macro supplier_key(raw_name) as
    regexp_replace(
        regexp_replace(
            trim(lower(regexp_replace(
                replace(
                    fold_name(
                        regexp_replace(
                            regexp_replace(
                                raw_name,
                                '(?s)[ \t\n\f\r]+([Tt][ \t\n\f\r]*/[ \t\n\f\r]*[Aa]|[Tt]\\[Aa]'
                                || '|[Tt][Rr][Aa][Dd][Ii][Nn][Gg][ \t\n\f\r]+[Aa][Ss])([ \t\n\f\r].*)?$',
                                ''
                            ),
                            '\([ \t\n\f\r]*[Uu]\.?[ \t\n\f\r]*[Kk]\.?[ \t\n\f\r]*\)', ' ', 'g'
                        )
                    ),
                    '&', ' and '
                ),
                '[^A-Za-z0-9]+', ' ', 'g'
            ))),
            '^(the )+', ''
        ),
        '( (ltd|limited|plc|llp|cic|cio|public limited company|community interest company'
        || '|limited liability partnership))+$', ''
    );

-- Register entries for the supplier register's names are made with the key above from now on.
create table supplier_register_rekeyed as
select * replace (supplier_key(supplier_name) as supplier_key)
from supplier_register
qualify row_number() over (partition by network_id, supplier_key(supplier_name) order by updated_at desc) = 1;
delete from supplier_register;
insert into supplier_register select * from supplier_register_rekeyed;
drop table supplier_register_rekeyed;

-- A payee the file does not name: redacted ('REDACTED', 'Personal data', 'Private individual',
-- 'Name withheld') or left empty with no identifier. dashboard.matching.is_redacted is the same rule.
create macro is_redacted(raw_name, raw_id) as
    (coalesce(trim(raw_name), '') = '' and supplier_id_key(raw_id) is null)
    or regexp_matches(
        lower(coalesce(raw_name, '')),
        '(^|[^a-z])(redacted|withheld|private individual|personal (data|information|details|expenses?)'
        || '|data protection)([^a-z]|$)'
    );

-- A postcode as registers publish it ('b12 9qe', 'B129QE', ' B12  9QE'), normalised; null when not one.
create macro register_postcode(raw) as
    case when regexp_matches(upper(regexp_replace(coalesce(raw, ''), '\s', '', 'g')),
                             '^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$')
        then regexp_replace(upper(regexp_replace(raw, '\s', '', 'g')), '^(.+)(...)$', '\1 \2') end;

-- A Companies House number however written: upper case, no spaces, digits padded to 8 ('1234567' -> '01234567').
create macro company_number_key(raw) as
    case when regexp_matches(upper(regexp_replace(coalesce(raw, ''), '[^A-Za-z0-9]', '', 'g')), '^[0-9]{1,8}$')
        then lpad(regexp_replace(raw, '[^0-9]', '', 'g'), 8, '0')
        else nullif(upper(regexp_replace(coalesce(raw, ''), '[^A-Za-z0-9]', '', 'g')), '') end;

-- VCSE by legal form: a community interest company, a charitable incorporated organisation, a registered
-- (co-operative or community benefit) society. Charities are VCSEs by their register, and a company the
-- Charity Commission lists as a charitable company is one too (set when the registers are loaded).
create macro vcse_legal_form(raw) as
    coalesce(regexp_matches(lower(raw), 'community interest company|charitable incorporated organisation'
        || '|registered society|industrial and provident|co-operative society|community benefit society'), false);

-- SME evidence from the accounts a company files: only small and medium-sized companies may file these.
-- Other categories (full, group, dormant, none filed) are no evidence either way: null, never 'not an SME'.
create macro sme_accounts_category(raw) as
    case when upper(trim(raw)) in ('MICRO ENTITY', 'SMALL', 'MEDIUM', 'TOTAL EXEMPTION FULL', 'TOTAL EXEMPTION SMALL',
                                   'UNAUDITED ABRIDGED', 'AUDITED ABRIDGED', 'ABRIDGED')
        then true end;

-- One row per file loaded; a file already loaded (by sha256) is not read again.
create table register_file (
    register varchar not null,       -- 'companies_house' | 'charity_commission' | 'oscr'
    release_date date not null,      -- the date of the register's extract
    file_name varchar not null,      -- as loaded (name only)
    sha256 varchar not null,
    entries bigint not null,
    synthetic boolean not null,      -- demo data, not the real register
    loaded_at timestamp not null,
    primary key (register, sha256)
);

-- One row per organisation of a register, located through the reference postcodes when it was loaded.
create table register_entity (
    register varchar not null,
    entity_id varchar not null,      -- as published: '00012345', 'SC123456'; a linked charity '1234567-1'
    name varchar not null,           -- current name, as registered
    status varchar,                  -- as published ('Active', 'Dissolved', 'Registered', 'Removed', ...)
    active boolean not null,
    legal_form varchar,              -- CompanyCategory, charity type or constitutional form, as published
    is_vcse boolean not null,        -- charity, CIO, CIC, co-operative or community benefit society
    accounts_category varchar,       -- Companies House Accounts.AccountCategory, the SME evidence
    is_sme boolean,                  -- null: the register gives no evidence either way
    address varchar,                 -- first address line and town, for people to check a match by
    postcode varchar,                -- normalised; registered office or charity contact address
    lsoa21_code varchar,
    lsoa11_code varchar,
    nation varchar,                  -- null when the postcode is not a current British one
    company_number varchar,          -- a charitable company's Companies House number
    file_sha256 varchar not null,
    primary key (register, entity_id)
);

-- Every name an organisation is known by: current, previous, working names. name_key = supplier_key(name).
create table register_name (
    register varchar not null,
    entity_id varchar not null,
    name_key varchar not null,
    kind varchar not null,           -- 'current' | 'previous' | 'other'
    block varchar not null,          -- first word of name_key: near names are looked for among these
    file_sha256 varchar not null
);

-- Each network supplier (by supplier_key) and the register entries it matched. Only 'automatic' and
-- 'confirmed' rows place spend, at most one per supplier; 'proposed' wait for a coordinator; 'rejected'
-- are never proposed again; 'none' marks a supplier tried and matched to nothing.
create table register_match (
    network_id varchar not null,
    supplier_key varchar not null,
    register varchar not null,       -- '' for 'none'
    entity_id varchar not null,      -- '' for 'none'
    method varchar not null,         -- 'number' | 'name' | 'previous name' | 'similar name' | 'none'
    score double not null,           -- 100 for the same normalised name
    status varchar not null,         -- 'automatic' | 'proposed' | 'confirmed' | 'rejected' | 'none'
    decided_by varchar,
    decided_at timestamp,
    primary key (network_id, supplier_key, register, entity_id)
);

-- The suppliers that place a network's spend, shaped like the supplier register: the coordinator's entries
-- (source 'coordinator'), then, for suppliers the coordinator has no entry for, the register entry each was
-- matched to (automatic or confirmed; source: the register). A coordinator's entry always wins.
create macro supplier_register_placed(for_network) as table
select supplier_key, supplier_name, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme,
    is_vcse, 'coordinator' as source
from supplier_register
where network_id = for_network
union all
select m.supplier_key, null as supplier_name, null as supplier_id, e.postcode as supplier_postcode, e.lsoa21_code,
    e.lsoa11_code, e.nation, e.is_sme, e.is_vcse,
    m.register as source
from register_match as m
inner join register_entity as e using (register, entity_id)
where m.network_id = for_network and m.status in ('automatic', 'confirmed')
    and m.supplier_key not in (select supplier_key from supplier_register where network_id = for_network);

create or replace macro spend_located(for_network, for_initiative, for_institution, date_from, date_to) as table
with active as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
),

-- The selection's payments; inlined into each use below rather than copied.
payments as not materialized (
    select s.lsoa21_code, s.lsoa11_code, s.nation, s.is_sme, s.is_vcse, s.supplier_name, s.supplier_id, s.amount_gbp
    from spend as s
    inner join active using (submission_id)
    where (for_initiative is null or s.initiative_id = for_initiative)
        and (for_institution is null or s.institution_id = for_institution)
        and s.payment_date between date_from and date_to
),

-- Payments summed per place first, so the joins below touch thousands of rows, not millions.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        lsoa21_code,
        lsoa11_code,
        nation,
        'partner file' as source,
        sum(amount_gbp) as spend_gbp,
        sum(amount_gbp) filter (where is_sme) as spend_sme_gbp,
        sum(amount_gbp) filter (where is_sme is not null) as spend_sme_known_gbp,
        sum(amount_gbp) filter (where is_vcse) as spend_vcse_gbp,
        sum(amount_gbp) filter (where is_vcse is not null) as spend_vcse_known_gbp
    from payments
    where nation is not null and is_sme is not null and is_vcse is not null
    group by all
),

-- The rest, summed per place and supplier. Three disjoint 'is null' filters rather than one 'or':
-- each is pushed into the scan and skips row groups that hold no nulls.
spend_to_match as (
    select lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
    from (
        select * from payments where nation is null
        union all
        select * from payments where nation is not null and is_sme is null
        union all
        select * from payments where nation is not null and is_sme is not null and is_vcse is null
    )
    group by all
),

register as (
    select supplier_key, supplier_id, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, source
    from supplier_register_placed(for_network)
),

-- Each distinct supplier matched once, not each payment: by identifier first, else by normalised name.
-- (The register keeps identifiers unique; min() makes sure no payment could ever match twice.)
supplier_match as (
    select
        u.supplier_name,
        u.supplier_id,
        coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key,
        is_redacted(u.supplier_name, u.supplier_id) as redacted
    from (select distinct supplier_name, supplier_id from spend_to_match) as u
    left join (
        select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
    ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
    left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
),

-- The payment's own location and flags win; the register fills in only what the payment lacks.
spend_matched as (
    select
        if(s.nation is null, r.lsoa21_code, s.lsoa21_code) as lsoa21_code,
        if(s.nation is null, r.lsoa11_code, s.lsoa11_code) as lsoa11_code,
        coalesce(s.nation, r.nation) as nation,
        case
            when s.nation is not null then 'partner file'
            when r.nation is not null then r.source
            when m.redacted then 'redacted'
            else 'unknown'
        end as source,
        sum(s.spend_gbp) as spend_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme)) as spend_sme_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme) is not null) as spend_sme_known_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse)) as spend_vcse_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse) is not null) as spend_vcse_known_gbp
    from spend_to_match as s
    left join supplier_match as m
        on m.supplier_name = s.supplier_name and m.supplier_id is not distinct from s.supplier_id
    left join register as r on r.supplier_key = m.supplier_key
    group by all
)

select * from spend_complete
union all
select * from spend_matched;


-- The payments of a selection with a place (Wales's and Scotland's deciles), placed as spend_located places them.
create or replace macro selection_payments_located(network, initiative, institution, date_from, date_to) as table
    with payments as (
        select sp.lsoa21_code, sp.lsoa11_code, sp.nation, sp.supplier_postcode, sp.supplier_name, sp.supplier_id,
            sp.amount_gbp
        from spend as sp
        inner join submission as s using (submission_id)
        where s.network_id = network and s.status = 'active'
            and (initiative is null or sp.initiative_id = initiative)
            and (institution is null or sp.institution_id = institution)
            and sp.payment_date between date_from and date_to
    ),

    register as (
        select supplier_key, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation
        from supplier_register_placed(network)
    ),

    unlocated as (
        select supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
        from payments
        where nation is null
        group by all
    ),

    matched as (
        select u.spend_gbp, coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key
        from unlocated as u
        left join (
            select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
        ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
        left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
    )

    select lsoa21_code, lsoa11_code, nation, supplier_postcode, sum(amount_gbp) as spend_gbp
    from payments
    where nation is not null
    group by all
    union all
    select r.lsoa21_code, r.lsoa11_code, r.nation, r.supplier_postcode, sum(m.spend_gbp) as spend_gbp
    from matched as m
    left join register as r using (supplier_key)
    group by all;
