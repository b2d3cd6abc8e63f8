-- one row per calendar quarter ('2025Q1') of the range holding any event or payment: starts, completions and job
-- starts, each in the quarter of its own date, and spend in integer pence in total, local, in IMD deciles 1-2 of
-- the release and of unknown location, a payment placed by the supplier register where it lacks a place. Read
-- from the summaries (area_month), as figures_by_area.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
select
    concat(year(a.month), 'Q', quarter(a.month)) as quarter,
    cast(sum(a.participants) as bigint) as participants,
    cast(sum(a.completions) as bigint) as completions,
    cast(sum(a.jobs_filled) as bigint) as jobs_filled,
    cast(coalesce(sum(a.spend_gbp), 0) * 100 as bigint) as spend_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.is_local), 0) * 100 as bigint) as local_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.area_group in ('1', '2')), 0) * 100 as bigint) as deprived_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.area_group = 'unknown'), 0) * 100 as bigint) as unknown_pence
from area_month as a
where a.network_id = $network_id
    and a.imd_release = $imd_release
    and ($initiative_id is null or a.initiative_id = $initiative_id)
    and ($institution_id is null or a.institution_id = $institution_id)
    and a.month between $date_from and $date_to
group by all
order by quarter
