-- one row per submission of the network that has spend rows, with how many; params: $network_id
select submission_id, count(*) as spend_rows
from spend
where network_id = $network_id
group by submission_id
order by submission_id
