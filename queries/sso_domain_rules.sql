-- one row per network whose single sign-on rules admit an email domain; params: $domain
select network_id, domain, role, institution_id
from network_sso_domain
where domain = $domain
order by network_id
