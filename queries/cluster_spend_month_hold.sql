-- one network's spend_month rows, held in the order they are to be written back (by date, then submission);
-- part of dashboard/cluster.py's transaction; params: $network_id
create or replace temp table cluster_rows as
select *
from spend_month
where network_id = $network_id
order by month, submission_id
