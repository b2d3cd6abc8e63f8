-- Retention: each network may set how long participants' row-level records are kept. Records past the rule are
-- replaced by counts that name no one (participant_tally, participant_trait_tally), so every figure that was
-- drawn from them still adds up; the figures read people through people_events and people_traits, which join
-- the records still held with the counts that replaced the rest.

create table network_retention (
    network_id varchar primary key,
    keep_years integer not null check (keep_years between 1 and 100),
    set_by varchar not null,
    set_at timestamp not null
);

-- A removed record's events, counted per submission, initiative, small area and month of the event's own date.
-- measure: 'participants' (starts), 'completions', 'jobs_filled', and by start month 'starters_completed',
-- 'starters_with_job', 'starters_in_post_6_months_reported', 'starters_in_post_6_months'.
create table participant_tally (
    submission_id integer not null,
    network_id varchar not null,
    institution_id varchar not null,
    initiative_id varchar not null,
    lsoa21_code varchar,
    lsoa11_code varchar,
    nation varchar,
    measure varchar not null,
    month date not null,
    people integer not null
);

-- A removed record's answers to each equality question, one question at a time (never crossed with the area or
-- with each other): starts and job starts per answer and month.
create table participant_trait_tally (
    submission_id integer not null,
    network_id varchar not null,
    institution_id varchar not null,
    initiative_id varchar not null,
    characteristic varchar not null,   -- 'age_band' | 'gender' | 'ethnicity' | 'disability'
    value varchar,                     -- null when not recorded
    measure varchar not null,          -- 'participants' | 'jobs_filled'
    month date not null,
    people integer not null
);


-- Each record's events in the table named (participant, or the records a retention run is replacing): one row per
-- event on the event's own date, people = 1. measure as in participant_tally.
create or replace macro record_events(records) as table
with held as not materialized (
    select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation, start_date,
        completion_date, job_start_date, in_post_6_months
    from query_table(records)
)

select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'participants' as measure, start_date as event_date, 1 as people
from held
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'completions', completion_date, 1
from held
where completion_date is not null
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'jobs_filled', job_start_date, 1
from held
where job_start_date is not null
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'starters_completed', start_date, 1
from held
where completion_date is not null
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'starters_with_job', start_date, 1
from held
where job_start_date is not null
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'starters_in_post_6_months_reported', start_date, 1
from held
where job_start_date is not null and in_post_6_months is not null
union all
select network_id, submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation,
    'starters_in_post_6_months', start_date, 1
from held
where job_start_date is not null and in_post_6_months;

-- Each record's answers to the equality questions in the table named, one row per question with its start
-- ('participants') and, for someone with a job, another with its job start ('jobs_filled').
create or replace macro record_traits(records) as table
with answers as not materialized (
    select network_id, submission_id, initiative_id, institution_id, 'age_band' as characteristic,
        age_band as value, start_date, job_start_date
    from query_table(records)
    union all
    select network_id, submission_id, initiative_id, institution_id, 'gender', gender, start_date, job_start_date
    from query_table(records)
    union all
    select network_id, submission_id, initiative_id, institution_id, 'ethnicity', ethnicity, start_date,
        job_start_date
    from query_table(records)
    union all
    select network_id, submission_id, initiative_id, institution_id, 'disability', disability, start_date,
        job_start_date
    from query_table(records)
)

select network_id, submission_id, initiative_id, institution_id, characteristic, value,
    'participants' as measure, start_date as event_date, 1 as people
from answers
union all
select network_id, submission_id, initiative_id, institution_id, characteristic, value,
    'jobs_filled', job_start_date, 1
from answers
where job_start_date is not null;

-- Every event of a network's people, from all its submissions: the records still held, one row per event, and
-- the counts that replaced removed records (on the first day of their month: selections are whole quarters, so
-- both fall in the same period).
create or replace macro participant_events(for_network) as table
select submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation, measure, event_date, people
from record_events('participant')
where network_id = for_network
union all
select submission_id, initiative_id, institution_id, lsoa21_code, lsoa11_code, nation, measure, month, people
from participant_tally
where network_id = for_network;

-- The selection's events, from its network's active submissions.
create or replace macro people_events(for_network, for_initiative, for_institution) as table
select e.*
from participant_events(for_network) as e
inner join submission as s using (submission_id)
where s.network_id = for_network and s.status = 'active'
    and (for_initiative is null or e.initiative_id = for_initiative)
    and (for_institution is null or e.institution_id = for_institution);

-- The selection's answers to the equality questions from its network's active submissions: the records held
-- and the counts that replaced removed ones.
create or replace macro people_traits(for_network, for_initiative, for_institution) as table
with traits as (
    select submission_id, initiative_id, institution_id, characteristic, value, measure, event_date, people
    from record_traits('participant')
    where network_id = for_network
    union all
    select submission_id, initiative_id, institution_id, characteristic, value, measure, month, people
    from participant_trait_tally
    where network_id = for_network
)

select t.characteristic, t.value, t.measure, t.event_date, t.people
from traits as t
inner join submission as s using (submission_id)
where s.network_id = for_network and s.status = 'active'
    and (for_initiative is null or t.initiative_id = for_initiative)
    and (for_institution is null or t.institution_id = for_institution);

-- The records of a network that its retention rule says are due for removal on on_date: N years after their
-- initiative's end, or for an initiative with no end date, N years after the record's last date (its start,
-- completion or job start), each with its row id. None without a rule.
create or replace macro participant_due(for_network, on_date) as table
select p.rowid as record_rowid, p.*
from participant as p
inner join network_retention as r using (network_id)
inner join initiative as i on i.network_id = p.network_id and i.initiative_id = p.initiative_id
where p.network_id = for_network
    and coalesce(i.end_date, greatest(p.start_date, p.completion_date, p.job_start_date))
        + to_years(r.keep_years) <= on_date;

-- Read through people_events now.
drop macro table selection_people;


-- As in 025, with people read through participant_events so that counts which replaced removed records are
-- summed with the records still held.
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

events as (
    select e.submission_id, e.initiative_id, e.institution_id, e.lsoa21_code, e.lsoa11_code, e.nation,
        date_trunc('month', e.event_date) as month,
        if(e.measure = 'participants', e.people, 0) as participants,
        if(e.measure = 'completions', e.people, 0) as completions,
        if(e.measure = 'jobs_filled', e.people, 0) as jobs_filled,
        if(e.measure = 'starters_with_job', e.people, 0) as starters_with_job
    from participant_events(for_network) as e
    inner join chosen using (submission_id)
    where e.measure in ('participants', 'completions', 'jobs_filled', 'starters_with_job')
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
