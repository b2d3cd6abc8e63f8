-- forgets a network's automatic matches, proposals and tries, before matching again; a coordinator's
-- confirmations and rejections stay; params: $network_id
delete from register_match
where network_id = $network_id and status in ('automatic', 'proposed', 'none')
