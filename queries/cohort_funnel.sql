-- one row per institution, start quarter and area group of the participants who STARTED in the range (a
-- cohort): how many started, and how many of them have a completion, a job start and a six-month follow-up
-- recorded so far, whatever its date. Area groups as in figures_by_area.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive), $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

-- Every cohort measure is dated by the person's start. A follow-up only counts for someone with a job start
-- (ingest refuses one without).
starts as (
    select e.*
    from people_events($network_id, $initiative_id, $institution_id) as e
    where e.event_date between $date_from and $date_to
        and e.measure in ('participants', 'starters_completed', 'starters_with_job',
                          'starters_in_post_6_months_reported', 'starters_in_post_6_months')
)

select
    e.institution_id,
    concat(year(e.event_date), 'Q', quarter(e.event_date)) as start_quarter,
    imd_area_group(e.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
    cast(sum(e.people) filter (where e.measure = 'participants') as bigint) as starters,
    cast(coalesce(sum(e.people) filter (where e.measure = 'starters_completed'), 0) as bigint) as starters_completed,
    cast(coalesce(sum(e.people) filter (where e.measure = 'starters_with_job'), 0) as bigint) as starters_with_job,
    cast(coalesce(sum(e.people) filter (where e.measure = 'starters_in_post_6_months_reported'), 0) as bigint)
        as starters_in_post_6_months_reported,
    cast(coalesce(sum(e.people) filter (where e.measure = 'starters_in_post_6_months'), 0) as bigint)
        as starters_in_post_6_months
from starts as e
left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = e.lsoa21_code
left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = e.lsoa11_code
group by all
order by all
