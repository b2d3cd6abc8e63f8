-- the demo's accounts that can still sign in on an installation that also holds a real (non-demo) network;
-- params: $demo_user (who the demo's accounts were created by)
select email
from app_user
where created_by = $demo_user and not disabled
    and exists (select 1 from network where not is_demo)
order by email
