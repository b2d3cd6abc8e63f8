-- Sign-in, roles and the audit log. Passwords are kept only as bcrypt hashes; the audit log
-- never holds a password or the reference of a participant whose records were deleted.

-- One row per account. The role decides what the scope of its sessions is (dashboard.access).
create table app_user (
    email varchar primary key,         -- lower case
    role varchar not null,             -- 'admin' | 'coordinator' | 'partner' | 'funder'
    network_id varchar,                -- coordinator and partner: their network
    institution_id varchar,            -- partner: their institution
    password_hash varchar,             -- bcrypt; null for an account that signs in only by single sign-on
    created_at timestamp not null,
    created_by varchar not null,
    disabled boolean not null default false,
    check (email = lower(email)),
    check (role in ('admin', 'coordinator', 'partner', 'funder'))
);

-- What a funder may see: a whole network (initiative_id null) or single initiatives of it.
create table user_grant (
    email varchar not null,
    network_id varchar not null,
    initiative_id varchar              -- null = the whole network
);

-- Every sign-in attempt, for rate limiting across sessions and processes. The email is kept
-- only as a hash, so text typed into the email box by mistake (a password) is never stored.
create table login_attempt (
    email_key varchar not null,        -- sha256 of the lower-case email
    attempted_at timestamp not null,
    succeeded boolean not null
);

create sequence audit_seq start 1;

-- Who did what, when: sign-ins, uploads, supersessions, deletions, changes to networks,
-- suppliers and users, and exports.
create table audit_log (
    audit_id integer primary key default nextval('audit_seq'),
    logged_at timestamp not null,
    actor_email varchar not null,      -- an account's email, 'cli:<os user>' or 'public'
    role varchar not null,
    action varchar not null,           -- e.g. 'upload', 'supersede', 'participant.delete', 'user.create'
    network_id varchar,
    institution_id varchar,
    detail json
);

-- Per network, from the 'access' block of its YAML file: whether it has a public read-only view.
create table network_access (
    network_id varchar primary key,
    public_view boolean not null
);

-- Single sign-on: an email at this domain with no account gets one with this role on first sign-in.
create table network_sso_domain (
    network_id varchar not null,
    domain varchar not null,           -- lower case, e.g. 'uhb.nhs.uk'
    role varchar not null,             -- 'partner' | 'funder'
    institution_id varchar,            -- partner: their institution
    primary key (network_id, domain)
);
