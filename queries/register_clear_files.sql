-- forgets the files of one register, before a newer release replaces it; params: $register
delete from register_file
where register = $register
