-- bench: the network's spend submission that bench_spend_generate adds payments to; params: $network_id
select max(submission_id) as submission_id
from submission
where network_id = $network_id and kind = 'spend' and status = 'active'
