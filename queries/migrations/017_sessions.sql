-- Signed-in sessions that survive a reload: the browser keeps a random token in a cookie, and only its SHA-256 is
-- kept here. A session ends at sign-out, after SESSION_HOURS, and when the account is disabled or its password
-- changes.
create table session_token (
    token_hash varchar primary key,
    email varchar not null,
    created_at timestamp not null,
    expires_at timestamp not null,
    revoked_at timestamp
);
