-- one row per calendar quarter ('2025Q1') holding any participant event in the range: starts, completions
-- and job starts, each counted in the quarter of its own date.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to (inclusive)
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

people as (
    select p.start_date, p.completion_date, p.job_start_date
    from participant as p
    inner join active using (submission_id)
    where p.network_id = $network_id
        and ($initiative_id is null or p.initiative_id = $initiative_id)
        and ($institution_id is null or p.institution_id = $institution_id)
),

events as (
    select 'start' as event, start_date as event_date from people
    union all
    select 'completion', completion_date from people where completion_date is not null
    union all
    select 'job', job_start_date from people where job_start_date is not null
)

select
    concat(year(event_date), 'Q', quarter(event_date)) as quarter,
    count(*) filter (where event = 'start') as participants,
    count(*) filter (where event = 'completion') as completions,
    count(*) filter (where event = 'job') as jobs_filled
from events
where event_date between $date_from and $date_to
group by all
order by quarter
