-- forgets every name of one register, before a newer release replaces it; params: $register
delete from register_name
where register = $register
