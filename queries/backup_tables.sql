-- one row per table of the open database (its own tables, not attached or temporary ones); params: none
select table_name
from duckdb_tables()
where database_name = current_database()
    and schema_name = 'main'
    and not temporary
order by table_name
