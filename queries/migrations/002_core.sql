-- Networks, their members and initiatives, and the submissions partners upload.

create table network (
    network_id varchar primary key,    -- short slug, e.g. 'birmingham'
    name varchar not null,
    description varchar,
    is_demo boolean not null default false,
    updated_at timestamp not null
);

-- The local authority districts (2024 codes) that make up "local" for a network.
create table network_lad (
    network_id varchar not null,
    lad24_code varchar not null,
    primary key (network_id, lad24_code)
);

create table institution (
    network_id varchar not null,
    institution_id varchar not null,
    name varchar not null,
    institution_type varchar not null, -- see dashboard.contract.INSTITUTION_TYPES
    primary key (network_id, institution_id)
);

create table initiative (
    network_id varchar not null,
    initiative_id varchar not null,
    name varchar not null,
    lead_institution_id varchar not null,
    start_date date not null,
    end_date date,
    description varchar,
    primary key (network_id, initiative_id)
);

create sequence submission_seq start 1;

-- Every upload. A newer submission for the same institution, kind and quarter supersedes
-- the older one, which is kept for audit but no longer counted.
create table submission (
    submission_id integer primary key default nextval('submission_seq'),
    network_id varchar not null,
    institution_id varchar not null,
    kind varchar not null,             -- 'participants' | 'spend'
    quarter varchar not null,          -- e.g. '2025Q3' (calendar quarter)
    file_name varchar not null,
    sha256 varchar not null,
    submitted_by varchar not null,
    submitted_at timestamp not null,
    row_count integer not null,
    status varchar not null,           -- 'active' | 'superseded'
    superseded_by integer
);

-- One row per person per initiative. No names and no full postcodes are stored.
create table participant (
    submission_id integer not null,
    network_id varchar not null,
    institution_id varchar not null,
    initiative_id varchar not null,
    participant_ref varchar not null,  -- the partner's own pseudonymous reference
    lsoa21_code varchar,
    lsoa11_code varchar,
    postcode_district varchar,         -- outward code only, e.g. 'B10'
    nation varchar,                    -- 'England' | 'Wales' | 'Scotland'; null when unknown
    start_date date not null,
    completion_date date,
    job_start_date date,
    employer varchar,
    age_band varchar,
    gender varchar,
    ethnicity varchar,
    disability varchar
);

-- One row per payment (or per supplier per period).
create table spend (
    submission_id integer not null,
    network_id varchar not null,
    institution_id varchar not null,
    initiative_id varchar,             -- optional: spend attributed to an initiative
    supplier_name varchar not null,
    supplier_id varchar,
    supplier_postcode varchar,         -- a business address, normalised
    lsoa21_code varchar,
    lsoa11_code varchar,
    nation varchar,                    -- null when the supplier's location is unknown
    amount_gbp decimal(18, 2) not null,
    payment_date date not null,
    category varchar,
    is_sme boolean,
    is_vcse boolean
);
