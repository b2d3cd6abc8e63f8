-- one row updated per participants submission of an institution: row_count set to the rows it now holds (and
-- the people a retention run counted in place of records it removed);
-- params: $network_id, $institution_id
update submission as s
set row_count = (select count(*) from participant as p where p.submission_id = s.submission_id)
    + coalesce((select sum(t.people) from participant_tally as t
                where t.submission_id = s.submission_id and t.measure = 'participants'), 0)
where s.network_id = $network_id
    and s.institution_id = $institution_id
    and s.kind = 'participants'
