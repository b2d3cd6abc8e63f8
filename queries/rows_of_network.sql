-- one row per stored participant row of the network (all submissions, for checks and audits); params: $network_id
select *
from participant
where network_id = $network_id
order by submission_id, participant_ref
