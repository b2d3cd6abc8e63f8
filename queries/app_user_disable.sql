-- marks one account disabled and returns it (no row when there is no such account); params: $email
update app_user
set disabled = true
where email = $email
returning email, role, network_id, institution_id
