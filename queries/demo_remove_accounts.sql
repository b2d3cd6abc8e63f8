-- marks the demo's accounts for `demo remove` (temp table demo_accounts): those the demo made and those of a demo
-- network only; params: $demo_user (who the demo's accounts were created by)
create or replace temp table demo_accounts as
select email
from app_user
where created_by = $demo_user or network_id in (select network_id from network where is_demo)
