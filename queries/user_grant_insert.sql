-- lets a funder see a network (initiative_id null) or one initiative of it, once; params: $email, $network_id,
-- $initiative_id
insert into user_grant (email, network_id, initiative_id)
select $email, $network_id, $initiative_id
where not exists (
    select 1
    from user_grant
    where email = $email
        and network_id = $network_id
        and initiative_id is not distinct from $initiative_id
)
