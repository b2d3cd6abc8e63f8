-- the summary rows by place of a network that differ from a recalculation from its people and payments: those
-- held but not recalculated ('held'), then those recalculated but not held ('missing'); none when right.
-- params: $network_id
with held as (
    select * exclude (network_id) from place_month where network_id = $network_id
),

recalculated as (
    select * exclude (network_id) from place_month_rows($network_id, null)
)

select 'held' as side, * from (select * from held except all select * from recalculated)
union all
select 'missing' as side, * from (select * from recalculated except all select * from held)
