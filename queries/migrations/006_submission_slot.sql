-- One row per network, institution, dataset kind and quarter that has had a submission. Every commit
-- claims its row first, so two uploads racing for one quarter conflict and one is retried after the
-- other lands (snapshot isolation would otherwise let both become active).
create table submission_slot (
    network_id varchar not null,
    institution_id varchar not null,
    kind varchar not null,
    quarter varchar not null,
    commits integer not null,
    primary key (network_id, institution_id, kind, quarter)
);

insert into submission_slot
select network_id, institution_id, kind, quarter, count(*) as commits
from submission
group by all;
