-- one row: how many rows one table holds (its name taken from backup_tables); params: $table_name
select count(*) as row_count
from query_table($table_name)
