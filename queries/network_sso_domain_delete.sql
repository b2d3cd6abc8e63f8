-- removes a network's single sign-on domain rules before they are loaded again; params: $network_id
delete from network_sso_domain
where network_id = $network_id
