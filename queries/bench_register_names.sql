-- bench: $names company names picked evenly (by a hash, so the same each run) from the loaded Companies House
-- register; params: $names
select name
from register_entity
where register = 'companies_house'
order by hash(entity_id)
limit $names
