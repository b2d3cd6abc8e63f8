-- A coordinator's (or an initiative's lead partner's) short plain-text note on a quarter: one per network
-- (initiative_id '') or initiative per quarter. Every version is kept with who wrote it and when; the newest counts.
create table quarter_note (
    network_id varchar not null,
    initiative_id varchar not null,
    quarter varchar not null,
    text varchar not null,
    written_by varchar not null,
    written_at timestamp not null
);
