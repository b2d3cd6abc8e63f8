-- one row updated per participants submission of an institution: row_count set to the rows it now holds;
-- params: $network_id, $institution_id
update submission as s
set row_count = (select count(*) from participant as p where p.submission_id = s.submission_id)
where s.network_id = $network_id
    and s.institution_id = $institution_id
    and s.kind = 'participants'
