-- one row per area group with any figure (IMD deciles 1..10 of the chosen release, Wales, Scotland,
-- Northern Ireland, unknown location; figures.by_area lists every group, in that order); each event counted by
-- its own date; a payment without its own location or flags takes them from the supplier register entry it
-- matches. Read from the summaries (area_month), which hold exactly these sums per submission, month and area
-- group.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
select
    a.area_group,
    try_cast(a.area_group as integer) as imd_decile,
    cast(coalesce(sum(a.participants), 0) as bigint) as participants,
    cast(coalesce(sum(a.completions), 0) as bigint) as completions,
    cast(coalesce(sum(a.jobs_filled), 0) as bigint) as jobs_filled,
    cast(coalesce(sum(a.starters_with_job), 0) as bigint) as starters_with_job,
    coalesce(sum(a.spend_gbp), 0) as spend_gbp,
    coalesce(sum(a.spend_gbp) filter (where a.is_local), 0) as spend_local_gbp,
    coalesce(sum(a.spend_sme_gbp), 0) as spend_sme_gbp,
    coalesce(sum(a.spend_sme_known_gbp), 0) as spend_sme_known_gbp,
    coalesce(sum(a.spend_vcse_gbp), 0) as spend_vcse_gbp,
    coalesce(sum(a.spend_vcse_known_gbp), 0) as spend_vcse_known_gbp
from area_month as a
where a.network_id = $network_id
    and a.imd_release = $imd_release
    and ($initiative_id is null or a.initiative_id = $initiative_id)
    and ($institution_id is null or a.institution_id = $institution_id)
    and a.month between $date_from and $date_to
group by a.area_group
