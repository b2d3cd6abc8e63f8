-- one row: the first and last event date (start, completion, job start, payment) in the network's
-- active submissions; params: $network_id
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

event_dates as (
    select unnest([p.start_date, p.completion_date, p.job_start_date]) as event_date
    from participant as p
    inner join active using (submission_id)
    where p.network_id = $network_id
    union all
    select s.month  -- a month's first day: the same quarter as its payments
    from spend_month as s
    inner join active using (submission_id)
    where s.network_id = $network_id
)

select min(event_date) as first_date, max(event_date) as last_date
from event_dates
