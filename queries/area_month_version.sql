-- what a network's figures are as of: the database file, and the version and time of the last change to the
-- network's people, payments, register placements, districts or reference data; params: $network_id
select
    (select path from duckdb_databases() where database_name = current_database()) as db_file,
    coalesce((select version from area_month_network where network_id = $network_id), 0) as version,
    (select changed_at from area_month_network where network_id = $network_id) as changed_at
