-- one row per measure, initiative, institution, place and quarter with any event: the finest cells that
-- every count of people a disclosure-controlled reader sees is a sum of. place is figures_by_area's area
-- group, Welsh people split by their WIMD decile ('wales:3', 'wales:' when unranked; Scottish people are
-- never ranked: no data zone is kept), the IMD decile for the in-area measures (representation's people living
-- in the network's area in a ranked LSOA). Events in the quarter of their own date; a cohort's outcomes
-- (starters_*) in the quarter the person started, whatever the outcome's date.
-- params: $network_id, $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

people as (
    select
        e.measure,
        e.initiative_id,
        e.institution_id,
        case
            when e.nation = 'Wales' then concat('wales:', coalesce(w11.decile, w21.decile))
            when e.nation = 'Scotland' then 'scotland:'
            else imd_area_group(e.nation, coalesce(i21.imd_decile, i11.imd_decile))
        end as place,
        cast(coalesce(a21.imd_decile, a11.imd_decile) as varchar) as local_decile,
        e.event_date,
        e.people
    from people_events($network_id, null, null) as e
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = e.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = e.lsoa11_code
    left join network_local_areas($network_id, $imd_release) as a21 on a21.lsoa_vintage = 2021 and a21.lsoa_code = e.lsoa21_code
    left join network_local_areas($network_id, $imd_release) as a11 on a11.lsoa_vintage = 2011 and a11.lsoa_code = e.lsoa11_code
    left join ref_nation_imd as w11
        on e.nation = 'Wales' and w11.index_name = 'WIMD2019' and w11.area_code = e.lsoa11_code
    left join wales_lsoa21_decile() as w21
        on e.nation = 'Wales' and e.lsoa11_code is null and w21.lsoa21_code = e.lsoa21_code
),

-- Each event in its place; a start and a job start of someone living in the network's area also in its decile.
events as (
    select measure, initiative_id, institution_id, place, event_date, people
    from people
    union all
    select 'participants_in_area', initiative_id, institution_id, local_decile, event_date, people
    from people
    where measure = 'participants' and local_decile is not null
    union all
    select 'jobs_filled_in_area', initiative_id, institution_id, local_decile, event_date, people
    from people
    where measure = 'jobs_filled' and local_decile is not null
)

select
    measure,
    initiative_id,
    institution_id,
    place,
    concat(year(event_date), 'Q', quarter(event_date)) as quarter,
    cast(sum(people) as bigint) as people
from events
group by all
order by all
