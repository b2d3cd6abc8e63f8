-- one row per nation (Wales, Scotland) and decile of that nation's own index (1..10, then null: area
-- not ranked or not known); each event counted in the month of its own date; payments placed as figures_by_area
-- places them (their own location, else their supplier register entry's). Read from the summaries by place
-- (place_month), which hold each place's decile: a Welsh LSOA's WIMD decile, and a Scottish supplier's SIMD decile
-- from its postcode's data zone; Scottish people stay 'not known', their rows keeping no postcode or data zone.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to
with by_decile as (
    select
        nation,
        nation_decile as decile,
        cast(sum(participants) as bigint) as participants,
        cast(sum(completions) as bigint) as completions,
        cast(sum(jobs_filled) as bigint) as jobs_filled,
        sum(spend_gbp) as spend_gbp
    from place_selection($network_id, $initiative_id, $institution_id, $date_from, $date_to)
    where nation in ('Wales', 'Scotland')
    group by all
),

grid as (
    select n.nation, n.index_name, n.nation_order, d.decile
    from (values ('Wales', 'WIMD2019', 1), ('Scotland', 'SIMD2020v2', 2)) as n (nation, index_name, nation_order)
    cross join (select cast(r.range as smallint) as decile from range(1, 11) as r union all select null) as d
)

select
    g.nation,
    g.index_name,
    g.decile,
    coalesce(b.participants, 0) as participants,
    coalesce(b.completions, 0) as completions,
    coalesce(b.jobs_filled, 0) as jobs_filled,
    coalesce(b.spend_gbp, 0) as spend_gbp
from grid as g
left join by_decile as b on b.nation = g.nation and b.decile is not distinct from g.decile
order by g.nation_order, g.decile nulls last
