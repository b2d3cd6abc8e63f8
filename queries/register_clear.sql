-- forgets every entry of one register, before a newer release replaces it; params: $register
delete from register_entity
where register = $register
