-- ends every open session of an account (disabled, or its password changed); params: $email
update session_token
set revoked_at = current_timestamp
where email = $email and revoked_at is null
