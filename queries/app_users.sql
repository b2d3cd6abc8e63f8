-- one row per account, of one network (with its funders' grants) or of all when $network_id is null, by email;
-- params: $network_id
with granted as (
    select email, network_id
    from user_grant
)

select u.email, u.role, u.network_id, u.institution_id, u.created_at, u.created_by, u.disabled
from app_user as u
where $network_id is null
    or u.network_id = $network_id
    or u.email in (select g.email from granted as g where g.network_id = $network_id)
order by u.email
