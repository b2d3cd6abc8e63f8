-- holds, for this transaction, the records of a network due for removal on $on_date (participant_due), each with
-- its row id; params: $network_id, $on_date
create or replace temp table participant_retiring as
select *
from participant_due($network_id, $on_date)
