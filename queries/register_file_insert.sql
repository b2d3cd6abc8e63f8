-- records one file loaded into a register; params: $register, $release_date, $file_name, $sha256, $entries, $synthetic
insert into register_file (register, release_date, file_name, sha256, entries, synthetic, loaded_at)
values ($register, $release_date, $file_name, $sha256, $entries, $synthetic, current_timestamp)
