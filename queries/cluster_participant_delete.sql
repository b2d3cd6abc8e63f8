-- one network's participant rows removed, to be written back together (cluster_participant_write); params: $network_id
delete from participant
where network_id = $network_id
