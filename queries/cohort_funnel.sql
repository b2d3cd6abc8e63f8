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

active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

starters as (
    select p.*
    from participant as p
    inner join active using (submission_id)
    where p.network_id = $network_id
        and ($initiative_id is null or p.initiative_id = $initiative_id)
        and ($institution_id is null or p.institution_id = $institution_id)
        and p.start_date between $date_from and $date_to
)

select
    p.institution_id,
    concat(year(p.start_date), 'Q', quarter(p.start_date)) as start_quarter,
    imd_area_group(p.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
    count(*) as starters,
    count(p.completion_date) as starters_completed,
    count(p.job_start_date) as starters_with_job,
    -- A follow-up only counts for someone with a job start (ingest refuses one without).
    count(*) filter (where p.job_start_date is not null and p.in_post_6_months is not null)
        as starters_in_post_6_months_reported,
    count(*) filter (where p.job_start_date is not null and p.in_post_6_months) as starters_in_post_6_months
from starters as p
left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
group by all
order by all
