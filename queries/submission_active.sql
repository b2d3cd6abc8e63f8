-- the active submission (zero or one row) for an institution, dataset kind and quarter;
-- params: $network_id, $institution_id, $kind, $quarter
select submission_id, sha256, file_name, submitted_at, row_count
from submission
where network_id = $network_id and institution_id = $institution_id
    and kind = $kind and quarter = $quarter and status = 'active'
