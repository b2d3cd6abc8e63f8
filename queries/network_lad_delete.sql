-- deletes the network's rows of network_lad before the network file writes them again; params: $network_id
delete from network_lad where network_id = $network_id
