-- removes the summary rows by place of a network's submissions (or of one); params: $network_id,
-- $submission_id (null = all)
delete from place_month
where network_id = $network_id and ($submission_id is null or submission_id = $submission_id)
