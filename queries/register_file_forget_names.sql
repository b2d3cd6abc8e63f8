-- forgets the names one file put in a register, so it can be read again; params: $register, $sha256
delete from register_name
where register = $register and file_sha256 = $sha256
