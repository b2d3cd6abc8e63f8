-- One-time sign-in codes a coordinator gives a partner (or an administrator anyone): the code lets its account set
-- a new password and sign in, once, within a day. Only a hash of the code is kept.
create table sign_in_code (
    email varchar not null,
    code_hash varchar not null,
    created_at timestamp not null,
    expires_at timestamp not null,
    created_by varchar not null,
    used_at timestamp
);
