-- one network's single-sign-on domain rules, as its YAML lists them; params: $network_id
select domain, role, institution_id
from network_sso_domain
where network_id = $network_id
order by domain, role
