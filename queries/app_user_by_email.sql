-- one row per account with this email (zero or one); params: $email
select email, role, network_id, institution_id, password_hash, created_at, created_by, disabled
from app_user
where email = $email
