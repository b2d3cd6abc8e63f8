-- deletes the network's rows of initiative before the network file writes them again; params: $network_id
delete from initiative where network_id = $network_id
