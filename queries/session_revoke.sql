-- ends one session (signed out); params: $token_hash
update session_token
set revoked_at = current_timestamp
where token_hash = $token_hash and revoked_at is null
