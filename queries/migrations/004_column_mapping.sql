-- Which column of a partner's own export feeds which contract field, remembered per network,
-- institution and file kind so next quarter's file maps itself. Rows are only ever added: each
-- committed submission that was mapped by hand adds a whole mapping, and the latest one is used.

create table column_mapping (
    submission_id integer not null,    -- the submission whose upload confirmed this mapping
    network_id varchar not null,
    institution_id varchar not null,
    kind varchar not null,             -- 'participants' | 'spend'
    source_header varchar not null,    -- the column's name as written in the partner's file
    field varchar not null             -- a contract column, or 'currency'
);
