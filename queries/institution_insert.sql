-- inserts the registered frame institution_rows (one row per institution); params: none
insert into institution by name select * from institution_rows
