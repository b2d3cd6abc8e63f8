-- removes a network's retention rule (its records are then kept until deleted) and returns the rule removed;
-- params: $network_id
delete from network_retention
where network_id = $network_id
returning keep_years
