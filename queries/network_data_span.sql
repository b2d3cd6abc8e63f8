-- one row: the first and last month with any event (start, completion, job start, payment) in the network's
-- active submissions, from the summaries (area_month); params: $network_id
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
)

select min(a.month) as first_date, max(a.month) as last_date
from area_month as a
inner join active using (submission_id)
where a.network_id = $network_id
