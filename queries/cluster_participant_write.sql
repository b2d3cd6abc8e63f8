-- one network's participant rows written back together, as cluster_participant_hold holds them (after cluster_participant_delete);
-- params: none
insert into participant
select * from cluster_rows
