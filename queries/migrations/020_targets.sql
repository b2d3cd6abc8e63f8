-- A network's targets: what one figure of the report should reach (at_least) or stay under (at_most) by a
-- deadline, over the quarters from from_quarter (a calendar name such as 2025Q2) to the deadline's quarter;
-- for the whole network (initiative_id '') or one initiative. Written with the network's definition.
create table target (
    network_id varchar not null,
    target_id varchar not null,
    initiative_id varchar not null,
    measure varchar not null,
    target_value double not null,
    direction varchar not null,
    from_quarter varchar not null,
    deadline date not null
);
