-- a new one-time sign-in code for an account, valid for $hours; earlier unused codes of the account lapse;
-- params: $email, $code_hash, $hours, $created_by
insert into sign_in_code (email, code_hash, created_at, expires_at, created_by)
values ($email, $code_hash, current_timestamp, current_timestamp + to_hours(cast($hours as integer)), $created_by)
