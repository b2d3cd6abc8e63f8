-- one row per grant of an account (initiative_id null = the whole network); params: $email
select network_id, initiative_id
from user_grant
where email = $email
order by network_id, initiative_id nulls first
