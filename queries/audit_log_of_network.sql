-- one row per audited action in a network since $since (all when null), newest first, at most $limit;
-- params: $network_id, $since, $limit
select audit_id, logged_at, actor_email, role, action, network_id, institution_id, detail
from audit_log
where network_id = $network_id
    and ($since is null or logged_at >= $since)
order by logged_at desc, audit_id desc
limit $limit
