-- every row held about one participant in one institution's submissions, active and superseded, each with the
-- submission it came from (one row per participant row); params: $network_id, $institution_id, $participant_ref
select
    s.submission_id,
    s.file_name,
    s.quarter,
    s.submitted_at as committed_at,
    s.status as submission_status,
    p.* exclude (submission_id)
from participant as p
inner join submission as s using (submission_id)
where p.network_id = $network_id
    and p.institution_id = $institution_id
    and p.participant_ref = $participant_ref
order by s.submitted_at, s.submission_id, p.initiative_id, p.start_date
