-- adds a network's single sign-on domain rules from the registered sso_domain_rows; params: none
insert into network_sso_domain (network_id, domain, role, institution_id)
select network_id, domain, role, institution_id
from sso_domain_rows
