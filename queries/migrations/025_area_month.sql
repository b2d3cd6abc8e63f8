-- The figures' summaries: each active submission's people and payments summed per month and area group (the IMD decile
-- of each release, a nation, or unknown location) and whether the payments were local, with each payment's place
-- and flags already taken from the supplier register where it lacks them. The headline figures and deciles read
-- these few rows instead of the payments and people. Written in the transaction of every change they depend on
-- (an upload, an erasure, the supplier register, the registers' matches, the network's districts, the reference
-- data) by dashboard/summaries.py, and checked against a recalculation from the rows by `summaries check`.

-- A selection's payments in active submissions (all, or only for_submission), placed by their own location, else
-- by the supplier register; summed per place and source, and if keyed also kept apart by submission, initiative,
-- institution and month.
create or replace macro spend_placed(for_network, for_initiative, for_institution, date_from, date_to,
                                     for_submission, keyed) as table
with chosen as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
        and (for_submission is null or submission_id = for_submission)
),

-- The selection's payments; inlined into each use below rather than copied.
payments as not materialized (
    select
        if(keyed, s.submission_id, null) as submission_id,
        if(keyed, s.initiative_id, null) as initiative_id,
        if(keyed, s.institution_id, null) as institution_id,
        if(keyed, s.month, null) as month,
        s.lsoa21_code, s.lsoa11_code, s.nation, s.is_sme, s.is_vcse, s.supplier_name, s.supplier_id, s.amount_gbp
    from spend_month as s
    inner join chosen using (submission_id)
    where s.network_id = for_network
        and (for_initiative is null or s.initiative_id = for_initiative)
        and (for_institution is null or s.institution_id = for_institution)
        and s.month between date_from and date_to
),

-- Payments summed per place first, so the joins below touch thousands of rows, not millions.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        submission_id,
        initiative_id,
        institution_id,
        month,
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
    select
        submission_id, initiative_id, institution_id, month, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse,
        supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
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
        s.submission_id,
        s.initiative_id,
        s.institution_id,
        s.month,
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


-- The selection's spend per place, from its active submissions (figures_by_lsoa, spend_by_source).
create or replace macro spend_located(for_network, for_initiative, for_institution, date_from, date_to) as table
select lsoa21_code, lsoa11_code, nation, source, spend_gbp, spend_sme_gbp, spend_sme_known_gbp, spend_vcse_gbp,
    spend_vcse_known_gbp
from spend_placed(for_network, for_initiative, for_institution, date_from, date_to, null, false);


-- The summary rows of a network's active submissions (or only for_submission, if active), for each release named:
-- what area_month holds. Events and payments are counted in the month of their own date.
create or replace macro area_month_rows(for_network, for_submission, releases) as table
with release as (
    select unnest(releases) as imd_release
),

chosen as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
        and (for_submission is null or submission_id = for_submission)
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = for_network
),

spend as (
    select
        s.submission_id, s.initiative_id, s.institution_id, s.month, s.lsoa21_code, s.lsoa11_code, s.nation,
        s.spend_gbp, s.spend_sme_gbp, s.spend_sme_known_gbp, s.spend_vcse_gbp, s.spend_vcse_known_gbp,
        coalesce(rl.lad24_code in (select lad24_code from local_lads), false) as is_local
    from spend_placed(for_network, null, null, date '0001-01-01', date '9999-12-31', for_submission, true) as s
    left join ref_lsoa21 as rl using (lsoa21_code)
),

people as (
    select p.submission_id, p.initiative_id, p.institution_id, p.lsoa21_code, p.lsoa11_code, p.nation,
        p.start_date, p.completion_date, p.job_start_date
    from participant as p
    inner join chosen using (submission_id)
    where p.network_id = for_network
),

-- Each person's events, each in the month of its own date: a start (and whether the starter has a job), a
-- completion, a job start.
events as (
    select submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
        date_trunc('month', start_date) as month, 1 as participants, 0 as completions, 0 as jobs_filled,
        if(job_start_date is not null, 1, 0) as starters_with_job
    from people
    where start_date is not null
    union all
    select submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
        date_trunc('month', completion_date), 0, 1, 0, 0
    from people
    where completion_date is not null
    union all
    select submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
        date_trunc('month', job_start_date), 0, 0, 1, 0
    from people
    where job_start_date is not null
),

-- An English LSOA takes the decile of the release's own LSOA vintage (2021 or 2011).
people_by_area as (
    select
        e.submission_id, e.initiative_id, e.institution_id, cast(e.month as date) as month, r.imd_release,
        imd_area_group(e.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        false as is_local,
        cast(sum(e.participants) as bigint) as participants,
        cast(sum(e.completions) as bigint) as completions,
        cast(sum(e.jobs_filled) as bigint) as jobs_filled,
        cast(sum(e.starters_with_job) as bigint) as starters_with_job,
        cast(null as decimal(38, 2)) as spend_gbp,
        cast(null as decimal(38, 2)) as spend_sme_gbp,
        cast(null as decimal(38, 2)) as spend_sme_known_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_known_gbp
    from events as e
    cross join release as r
    left join ref_imd as i21
        on i21.imd_release = r.imd_release and i21.lsoa_vintage = 2021 and i21.lsoa_code = e.lsoa21_code
    left join ref_imd as i11
        on i11.imd_release = r.imd_release and i11.lsoa_vintage = 2011 and i11.lsoa_code = e.lsoa11_code
    group by all
),

spend_by_area as (
    select
        s.submission_id, s.initiative_id, s.institution_id, s.month, r.imd_release,
        imd_area_group(s.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        s.is_local,
        cast(0 as bigint) as participants,
        cast(0 as bigint) as completions,
        cast(0 as bigint) as jobs_filled,
        cast(0 as bigint) as starters_with_job,
        sum(s.spend_gbp) as spend_gbp,
        sum(s.spend_sme_gbp) as spend_sme_gbp,
        sum(s.spend_sme_known_gbp) as spend_sme_known_gbp,
        sum(s.spend_vcse_gbp) as spend_vcse_gbp,
        sum(s.spend_vcse_known_gbp) as spend_vcse_known_gbp
    from spend as s
    cross join release as r
    left join ref_imd as i21
        on i21.imd_release = r.imd_release and i21.lsoa_vintage = 2021 and i21.lsoa_code = s.lsoa21_code
    left join ref_imd as i11
        on i11.imd_release = r.imd_release and i11.lsoa_vintage = 2011 and i11.lsoa_code = s.lsoa11_code
    group by all
)

select for_network as network_id, * from people_by_area
union all
select for_network as network_id, * from spend_by_area;


create table area_month (
    network_id varchar not null,
    submission_id integer not null,
    initiative_id varchar,
    institution_id varchar not null,
    month date not null,               -- the first day of the events' or payments' month
    imd_release varchar not null,
    area_group varchar not null,       -- '1'..'10', 'Wales', 'Scotland', 'Northern Ireland' or 'unknown'
    is_local boolean not null,         -- payments to a place in the network's districts
    participants bigint not null,      -- starts
    completions bigint not null,
    jobs_filled bigint not null,
    starters_with_job bigint not null,
    spend_gbp decimal(18, 2),          -- null on the rows of people
    spend_sme_gbp decimal(18, 2),
    spend_sme_known_gbp decimal(18, 2),
    spend_vcse_gbp decimal(18, 2),
    spend_vcse_known_gbp decimal(18, 2)
);

-- One row per network whose summaries were written: every change to them updates it first, so two changes to
-- one network's summaries at once conflict and one is tried again, never mixing what each saw. Its version and
-- time change with every change to the network's figures: what a cache of them is keyed by.
create table area_month_network (
    network_id varchar primary key,
    version bigint not null,
    changed_at timestamp not null
);
