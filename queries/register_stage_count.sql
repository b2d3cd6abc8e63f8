-- how many rows the last file staged; params: none
select count(*) as entries from register_stage
