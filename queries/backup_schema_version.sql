-- one row: the highest migration applied to the database (0 before any); params: none
select coalesce(max(version), 0) as schema_version
from schema_migration
