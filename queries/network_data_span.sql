-- one row: the first and last month with any event (start, completion, job start, payment) in the network's
-- active submissions, from the summaries (area_month); params: $network_id
select min(a.month) as first_date, max(a.month) as last_date
from area_month as a
where a.network_id = $network_id
