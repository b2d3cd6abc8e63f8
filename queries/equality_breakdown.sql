-- one row per equality characteristic (age_band, gender, ethnicity, disability) and recorded value
-- ('Not recorded' when blank): participants who started in the range and jobs filled in the range, each
-- counted by its own date as in figures_by_area.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to (inclusive)
select
    characteristic,
    coalesce(value, 'Not recorded') as value,
    cast(coalesce(sum(people) filter (where measure = 'participants'), 0) as bigint) as participants,
    cast(coalesce(sum(people) filter (where measure = 'jobs_filled'), 0) as bigint) as jobs_filled
from people_traits($network_id, $initiative_id, $institution_id)
where event_date between $date_from and $date_to
group by all
order by all
