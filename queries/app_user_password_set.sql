-- replaces one account's password hash and returns it (no row when there is no such account);
-- params: $email, $password_hash
update app_user
set password_hash = $password_hash
where email = $email
returning email, role, network_id, institution_id
