-- one row: what the reference data is as of: the database file, when its files were last loaded and how many IMD
-- rows it holds (a cache of what depends on the reference data alone is keyed by it); params: none
select
    (select path from duckdb_databases() where database_name = current_database()) as db_file,
    (select max(loaded_at) from ref_source) as loaded_at,
    (select count(*) from ref_imd) as imd_rows
