-- the summary rows of a network that differ from a recalculation from its rows: those held but not recalculated
-- ('held'), then those recalculated but not held ('missing'); none when the summaries are right.
-- params: $network_id, $releases
with held as (
    select * exclude (network_id) from area_month where network_id = $network_id
),

recalculated as (
    select * exclude (network_id) from area_month_rows($network_id, null, $releases)
)

select 'held' as side, * from (select * from held except all select * from recalculated)
union all
select 'missing' as side, * from (select * from recalculated except all select * from held)
