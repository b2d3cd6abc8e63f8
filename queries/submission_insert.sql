-- records one new active submission and returns its id;
-- params: $network_id, $institution_id, $kind, $quarter, $file_name, $sha256, $submitted_by, $row_count, $row_choices, $read_as
insert into submission (network_id, institution_id, kind, quarter, file_name, sha256,
    submitted_by, submitted_at, row_count, status, row_choices, read_as)
values ($network_id, $institution_id, $kind, $quarter, $file_name, $sha256,
    $submitted_by, current_timestamp, $row_count, 'active', $row_choices, $read_as)
returning submission_id
