-- The supplier register: where each supplier of a network is and whether it is an SME or VCSE,
-- so that payments exported without a postcode can still be placed. The figure queries match
-- spend to it when they run (by identifier, else by supplier_key), so they change as soon as it does.

-- One supplier, however it is written: accents folded, apostrophes and full stops dropped,
-- '&' read as 'and', other punctuation and spacing as one space, lower case, no leading 'The',
-- no trailing legal form (Ltd, Limited, Plc, LLP, CIC, CIO, ...).
-- dashboard.suppliers.supplier_key is the same function in Python; a test keeps them equal.
create macro supplier_key(raw_name) as
    regexp_replace(
        regexp_replace(
            trim(lower(regexp_replace(
                replace(
                    translate(
                        raw_name,
                        'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ''’‘`.',
                        'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy'
                    ),
                    '&', ' and '
                ),
                '[^A-Za-z0-9]+', ' ', 'g'
            ))),
            '^(the )+', ''
        ),
        '( (ltd|limited|plc|llp|cic|cio|public limited company|community interest company))+$', ''
    );

-- A Companies House or charity number, however spaced: letters and digits only, upper case.
create macro supplier_id_key(raw_id) as
    nullif(upper(regexp_replace(raw_id, '[^A-Za-z0-9]+', '', 'g')), '');

-- One row per supplier of a network. Every entry has a location: a postcode resolved through
-- ref_postcode at entry, or an LSOA 2021 code given directly (then supplier_postcode is null).
create table supplier_register (
    network_id varchar not null,
    supplier_key varchar not null,     -- supplier_key(supplier_name)
    supplier_name varchar not null,    -- as entered
    supplier_id varchar,               -- supplier_id_key(); unique within the network when present
    supplier_postcode varchar,         -- a business address, normalised
    lsoa21_code varchar,               -- null in Scotland and Northern Ireland
    lsoa11_code varchar,               -- best-fit 2011 LSOA
    nation varchar not null,           -- 'England' | 'Wales' | 'Scotland' | 'Northern Ireland'
    is_sme boolean,                    -- null: not known
    is_vcse boolean,
    updated_at timestamp not null,
    updated_by varchar not null,
    primary key (network_id, supplier_key)
);
