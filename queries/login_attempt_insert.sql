-- records one sign-in attempt; params: $email_key, $succeeded
insert into login_attempt (email_key, attempted_at, succeeded)
values ($email_key, current_timestamp, $succeeded)
