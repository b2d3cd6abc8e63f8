-- deletes every row of one participant in one institution's submissions and returns the submissions they were in;
-- params: $network_id, $institution_id, $participant_ref
delete from participant
where network_id = $network_id
    and institution_id = $institution_id
    and participant_ref = $participant_ref
returning submission_id
