-- removes the summary rows by place of a network's submissions that are no longer active (replaced by a later
-- upload of their quarter), in the transaction that replaced them; params: $network_id
delete from place_month
where network_id = $network_id
    and submission_id in (
        select submission_id from submission where network_id = $network_id and status <> 'active'
    )
