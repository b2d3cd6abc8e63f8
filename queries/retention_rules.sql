-- one row per network (or only $network_id) with its retention rule, or null when it has none: how many
-- participants' records it still holds, how many its rule says are due for removal on $on_date, and how many
-- people its counts hold in place of records already removed; params: $network_id (null = all), $on_date
with held as (
    select network_id, count(*) as records_held
    from participant
    group by network_id
),

tallied as (
    select network_id, sum(people) as people_tallied
    from participant_tally
    where measure = 'participants'
    group by network_id
)

select
    n.network_id,
    r.keep_years,
    r.set_by,
    r.set_at,
    coalesce(h.records_held, 0) as records_held,
    (select count(*) from participant_due(n.network_id, $on_date)) as records_due,
    cast(coalesce(t.people_tallied, 0) as bigint) as people_tallied
from network as n
left join network_retention as r using (network_id)
left join held as h using (network_id)
left join tallied as t using (network_id)
where $network_id is null or n.network_id = $network_id
order by n.network_id
