-- one row per nation (Wales, Scotland) and decile of that nation's own index (1..10, then null: area
-- not ranked or not known); each event counted by its own date; payments placed as figures_by_area
-- places them (their own location, else their supplier register entry's).
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to
with nation_index as (
    select index_name, area_code, decile
    from ref_nation_imd
),

-- Scottish people stay 'not known': participant rows keep no postcode or data zone to rank.
people as (
    select
        e.nation,
        if(e.nation = 'Wales', coalesce(w11.decile, w21.decile), null) as decile,
        e.measure,
        e.event_date,
        e.people
    from people_events($network_id, $initiative_id, $institution_id) as e
    left join nation_index as w11 on w11.index_name = 'WIMD2019' and w11.area_code = e.lsoa11_code
    left join wales_lsoa21_decile() as w21 on e.lsoa11_code is null and w21.lsoa21_code = e.lsoa21_code
    where e.nation in ('Wales', 'Scotland') and e.measure in ('participants', 'completions', 'jobs_filled')
),

-- A Scottish supplier's data zone comes from its postcode, known when the ONS postcode lookup was loaded.
-- Only the Scottish postcodes that carry a data zone: the few payments to place never read every postcode.
scottish_postcodes as (
    select postcode, data_zone_code
    from ref_postcode
    where nation = 'Scotland' and data_zone_code is not null
),

payments as (
    select
        s.nation,
        case
            when s.nation = 'Wales' then coalesce(w11.decile, w21.decile)
            when s.nation = 'Scotland' then dz.decile
        end as decile,
        s.spend_gbp
    from selection_payments_located($network_id, $initiative_id, $institution_id, $date_from, $date_to,
                                    ['Wales', 'Scotland']) as s
    left join nation_index as w11 on w11.index_name = 'WIMD2019' and w11.area_code = s.lsoa11_code
    left join wales_lsoa21_decile() as w21 on s.lsoa11_code is null and w21.lsoa21_code = s.lsoa21_code
    left join scottish_postcodes as rp on s.nation = 'Scotland' and rp.postcode = s.supplier_postcode
    left join nation_index as dz on dz.index_name = 'SIMD2020v2' and dz.area_code = rp.data_zone_code
    where s.nation in ('Wales', 'Scotland')
),

people_by_decile as (
    select
        nation,
        decile,
        cast(coalesce(sum(people) filter (
            where measure = 'participants' and event_date between $date_from and $date_to), 0) as bigint)
            as participants,
        cast(coalesce(sum(people) filter (
            where measure = 'completions' and event_date between $date_from and $date_to), 0) as bigint)
            as completions,
        cast(coalesce(sum(people) filter (
            where measure = 'jobs_filled' and event_date between $date_from and $date_to), 0) as bigint)
            as jobs_filled
    from people
    group by all
),

spend_by_decile as (
    select nation, decile, sum(spend_gbp) as spend_gbp
    from payments
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
    coalesce(pd.participants, 0) as participants,
    coalesce(pd.completions, 0) as completions,
    coalesce(pd.jobs_filled, 0) as jobs_filled,
    coalesce(sd.spend_gbp, 0) as spend_gbp
from grid as g
left join people_by_decile as pd on pd.nation = g.nation and pd.decile is not distinct from g.decile
left join spend_by_decile as sd on sd.nation = g.nation and sd.decile is not distinct from g.decile
order by g.nation_order, g.decile nulls last
