-- drops the table that held a retention run's records (retention_hold.sql); params: none
drop table if exists participant_retiring
