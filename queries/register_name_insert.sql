-- adds every staged name (current, previous, other) by its supplier key; params: $register, $sha256
insert into register_name (register, entity_id, name_key, kind, block, file_sha256)
select $register, entity_id, name_key, kind, split_part(name_key, ' ', 1), $sha256
from (
    select entity_id, supplier_key(n.name) as name_key, n.kind
    from (select entity_id, unnest(names) as n from register_stage)
)
where name_key <> ''
