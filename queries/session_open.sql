-- the account of a session still open (zero or one row); params: $token_hash
select email
from session_token
where token_hash = $token_hash and revoked_at is null and expires_at > current_timestamp
