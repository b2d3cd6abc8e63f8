-- what `demo remove` would remove: the demo networks, the accounts the demo made or that belong to a demo network
-- only, and the synthetic register files; params: $demo_user (who the demo's accounts were created by)
select
    (select coalesce(list(network_id order by network_id), []) from network where is_demo) as networks,
    (
        select coalesce(list(email order by email), [])
        from app_user
        where created_by = $demo_user
            or network_id in (select network_id from network where is_demo)
    ) as accounts,
    (select coalesce(list(file_name order by file_name), []) from register_file where synthetic) as register_files
