-- one row per migration applied to the database, oldest first; params: none
select version, name
from schema_migration
order by version
