-- a new session for an account, open for $hours; params: $token_hash, $email, $hours
insert into session_token (token_hash, email, created_at, expires_at)
values ($token_hash, $email, current_timestamp, current_timestamp + to_hours(cast($hours as integer)))
