-- one row: an email's failed sign-ins in the last $window_minutes after its last success there, and when the
-- earliest of them leaves the window; params: $email_key, $window_minutes
with recent as (
    select attempted_at, succeeded
    from login_attempt
    where email_key = $email_key
        and attempted_at >= cast(current_timestamp as timestamp) - to_minutes(cast($window_minutes as integer))
),

last_success as (
    select max(attempted_at) as success_at
    from recent
    where succeeded
)

select
    count(*) as failures,
    min(r.attempted_at) + to_minutes(cast($window_minutes as integer)) as locked_until
from recent as r, last_success as s
where not r.succeeded
    and (s.success_at is null or r.attempted_at > s.success_at)
