-- records one audited action; params: $actor_email, $role, $action, $network_id, $institution_id, $detail
insert into audit_log (logged_at, actor_email, role, action, network_id, institution_id, detail)
values (current_timestamp, $actor_email, $role, $action, $network_id, $institution_id, $detail)
