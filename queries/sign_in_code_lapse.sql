-- makes an account's unused sign-in codes unusable (a new one replaces them, or one was used); params: $email
update sign_in_code
set used_at = current_timestamp
where email = $email and used_at is null
