-- creates or updates one network row; params: $network_id, $name, $description, $is_demo
insert into network (network_id, name, description, is_demo, updated_at)
values ($network_id, $name, $description, $is_demo, current_timestamp)
on conflict (network_id) do update set
    name = excluded.name,
    description = excluded.description,
    is_demo = excluded.is_demo,
    updated_at = excluded.updated_at
