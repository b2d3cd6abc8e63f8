-- Reference geography built by `refdata load` from the publishers' files.
-- Every table is replaced wholesale on load; ref_source says which files it came from.

create table ref_source (
    dataset varchar not null,          -- e.g. 'imd2025', 'codepoint'
    file_path varchar not null,        -- path relative to the source directory
    sha256 varchar not null,
    loaded_at timestamp not null
);

-- One row per LSOA per IoD release. IoD2025 uses LSOA 2021 codes, IoD2019 LSOA 2011.
create table ref_imd (
    imd_release varchar not null,      -- 'IoD2025' | 'IoD2019'
    lsoa_vintage smallint not null,    -- 2021 | 2011
    lsoa_code varchar not null,
    lsoa_name varchar not null,
    lad_code varchar not null,         -- the LAD as published with the release
    lad_name varchar not null,
    imd_rank integer not null,         -- 1 = most deprived
    imd_decile smallint not null       -- 1 = most deprived 10%
);

-- LSOA 2021 -> electoral ward 2024 -> local authority district 2024 (England and Wales).
create table ref_lsoa21 (
    lsoa21_code varchar not null,
    lsoa21_name varchar not null,
    ward24_code varchar not null,
    ward24_name varchar not null,
    lad24_code varchar not null,
    lad24_name varchar not null,
    nation varchar not null            -- 'England' | 'Wales'
);

-- LSOA 2011 -> ward 2019 -> LAD 2019 (England and Wales).
create table ref_lsoa11 (
    lsoa11_code varchar not null,
    lsoa11_name varchar not null,
    ward19_code varchar not null,
    ward19_name varchar not null,
    lad19_code varchar not null,
    lad19_name varchar not null
);

-- ONS exact-fit LSOA 2011 -> LSOA 2021 (U unchanged, S split, M merged, X complex).
create table ref_lsoa11_lsoa21 (
    lsoa11_code varchar not null,
    lsoa21_code varchar not null,
    change_code varchar not null,
    lad22_code varchar not null
);

-- IoD2019 File 6 population denominators (mid-2015, excluding prisoners), LSOA 2011.
create table ref_population (
    lsoa11_code varchar not null,
    population_total double not null,
    population_working_age double not null   -- 18-59/64, as used by the Employment domain
);

-- Local authority districts (May 2024), UK.
create table ref_lad (
    lad24_code varchar not null,
    lad24_name varchar not null,
    nation varchar not null            -- 'England' | 'Wales' | 'Scotland' | 'Northern Ireland'
);

-- Postcode -> LSOA, resolved once at load time. Scottish postcodes have no LSOA.
create table ref_postcode (
    postcode varchar not null,         -- normalised: upper case, one space before the inward code
    lsoa21_code varchar,               -- null outside England and Wales
    lsoa11_code varchar,
    nation varchar not null,           -- 'England' | 'Wales' | 'Scotland'
    lsoa_method varchar not null       -- 'nspl' | 'point_in_polygon' | 'nearest_polygon' | 'lad_only'
);
