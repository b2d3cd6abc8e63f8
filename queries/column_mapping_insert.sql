-- records that a source header fed a field in a committed submission (one row);
-- params: $submission_id, $network_id, $institution_id, $kind, $source_header, $field
insert into column_mapping (submission_id, network_id, institution_id, kind, source_header, field)
values ($submission_id, $network_id, $institution_id, $kind, $source_header, $field)
