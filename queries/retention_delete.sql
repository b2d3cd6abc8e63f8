-- deletes the records held in participant_retiring (retention_hold.sql), now counted in the tallies; returns the
-- submission of each record removed; params: none
delete from participant
where rowid in (select record_rowid from participant_retiring)
returning submission_id
