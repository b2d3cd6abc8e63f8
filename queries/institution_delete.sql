-- deletes the network's rows of institution before the network file writes them again; params: $network_id
delete from institution where network_id = $network_id
