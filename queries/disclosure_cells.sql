-- one row per measure, initiative, institution, place and quarter with any event: the finest cells that
-- every count of people a disclosure-controlled reader sees is a sum of. place is figures_by_area's area
-- group, Welsh people split by their WIMD decile ('wales:3', 'wales:' when unranked; Scottish people are
-- never ranked: no data zone is kept), the IMD decile for the in-area measures (representation's people living
-- in the network's area in a ranked LSOA). Events in the quarter of their own date; a cohort's outcomes
-- (starters_*) in the quarter the person started, whatever the outcome's date. Read from the summaries by place
-- (place_month), whose rows of people hold each measure per month and place.
-- params: $network_id, $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

local_areas as (
    select lsoa_code, lsoa_vintage, imd_decile
    from network_local_areas($network_id, $imd_release)
),

people as (
    select
        p.initiative_id,
        p.institution_id,
        case
            when p.nation = 'Wales' then concat('wales:', p.nation_decile)
            when p.nation = 'Scotland' then 'scotland:'
            else imd_area_group(p.nation, coalesce(i21.imd_decile, i11.imd_decile))
        end as place,
        cast(coalesce(a21.imd_decile, a11.imd_decile) as varchar) as local_decile,
        concat(year(p.month), 'Q', quarter(p.month)) as quarter,
        p.participants,
        p.completions,
        p.jobs_filled,
        p.starters_with_job,
        p.starters_completed,
        p.starters_in_post_6_months_reported,
        p.starters_in_post_6_months
    from place_month as p
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
    left join local_areas as a21 on a21.lsoa_vintage = 2021 and a21.lsoa_code = p.lsoa21_code
    left join local_areas as a11 on a11.lsoa_vintage = 2011 and a11.lsoa_code = p.lsoa11_code
    where p.network_id = $network_id and p.spend_gbp is null
),

-- Each measure in its place; a start and a job start of someone living in the network's area also in its decile.
events as (
    select measure, initiative_id, institution_id, place, quarter, people
    from (
        unpivot (
            select initiative_id, institution_id, place, quarter, participants, completions, jobs_filled,
                starters_with_job, starters_completed, starters_in_post_6_months_reported, starters_in_post_6_months
            from people
        )
        on participants, completions, jobs_filled, starters_with_job, starters_completed,
            starters_in_post_6_months_reported, starters_in_post_6_months
        into name measure value people
    )
    union all
    select 'participants_in_area', initiative_id, institution_id, local_decile, quarter, participants
    from people
    where local_decile is not null
    union all
    select 'jobs_filled_in_area', initiative_id, institution_id, local_decile, quarter, jobs_filled
    from people
    where local_decile is not null
)

select
    measure,
    initiative_id,
    institution_id,
    place,
    quarter,
    cast(sum(people) as bigint) as people
from events
where people > 0
group by all
order by all
