-- one row per submission of the network, newest first; params: $network_id
select submission_id, institution_id, kind, quarter, file_name, sha256, submitted_by, submitted_at,
    row_count, status, superseded_by
from submission
where network_id = $network_id
order by submission_id desc
