-- one row per equality characteristic (age_band, gender, ethnicity, disability) and recorded value
-- ('Not recorded' when blank): participants who started in the range and jobs filled in the range, each
-- counted by its own date as in figures_by_area.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to (inclusive)
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

people as (
    select p.start_date, p.job_start_date, p.age_band, p.gender, p.ethnicity, p.disability
    from participant as p
    inner join active using (submission_id)
    where p.network_id = $network_id
        and ($initiative_id is null or p.initiative_id = $initiative_id)
        and ($institution_id is null or p.institution_id = $institution_id)
        and (p.start_date between $date_from and $date_to or p.job_start_date between $date_from and $date_to)
),

answers as (
    select 'age_band' as characteristic, age_band as value, start_date, job_start_date from people
    union all
    select 'gender', gender, start_date, job_start_date from people
    union all
    select 'ethnicity', ethnicity, start_date, job_start_date from people
    union all
    select 'disability', disability, start_date, job_start_date from people
)

select
    characteristic,
    coalesce(value, 'Not recorded') as value,
    count(*) filter (where start_date between $date_from and $date_to) as participants,
    count(*) filter (where job_start_date between $date_from and $date_to) as jobs_filled
from answers
group by all
order by all
