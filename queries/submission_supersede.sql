-- marks older active submissions for the same institution, kind and quarter as superseded by $submission_id;
-- params: $network_id, $institution_id, $kind, $quarter, $submission_id
update submission
set status = 'superseded', superseded_by = $submission_id
where network_id = $network_id and institution_id = $institution_id
    and kind = $kind and quarter = $quarter and status = 'active'
    and submission_id <> $submission_id
