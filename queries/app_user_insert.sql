-- adds one account; params: $email, $role, $network_id, $institution_id, $password_hash, $created_by
insert into app_user (email, role, network_id, institution_id, password_hash, created_at, created_by, disabled)
values ($email, $role, $network_id, $institution_id, $password_hash, current_timestamp, $created_by, false)
