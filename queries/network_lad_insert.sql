-- inserts the registered frame network_lad_rows (one row per district); params: none
insert into network_lad by name select * from network_lad_rows
