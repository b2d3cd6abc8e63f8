-- forgets that one file was loaded; params: $register, $sha256
delete from register_file
where register = $register and sha256 = $sha256
