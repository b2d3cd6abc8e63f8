-- inserts the registered frame target_rows (one row per target); params: none
insert into target by name
select network_id, target_id, initiative_id, measure, cast(target_value as double) as target_value, direction,
    from_quarter, cast(deadline as date) as deadline
from target_rows
