-- one row per submission of the network whose file had the given checksum, newest first;
-- params: $network_id, $sha256
select submission_id, institution_id, kind, quarter, file_name, submitted_by, submitted_at, status
from submission
where network_id = $network_id and sha256 = $sha256
order by submission_id desc
