-- sets one network's disclosure threshold; params: $network_id, $disclosure_threshold
update network
set disclosure_threshold = $disclosure_threshold
where network_id = $network_id
