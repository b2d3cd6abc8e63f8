-- an account's sign-in codes that can still be used (unused, not expired), newest first; params: $email
select code_hash, expires_at
from sign_in_code
where email = $email and used_at is null and expires_at > current_timestamp
order by created_at desc
