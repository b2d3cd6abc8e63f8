-- deletes the network's targets before its definition writes them again; params: $network_id
delete from target where network_id = $network_id
