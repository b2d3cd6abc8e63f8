-- one row per area group: IMD deciles 1..10 of the chosen release, then Wales, Scotland,
-- Northern Ireland and unknown location; each event counted by its own date; a payment without its
-- own location or flags takes them from the supplier register entry it matches. Read from the summaries
-- (area_month), which hold exactly these sums per submission, month and area group.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
with by_area as (
    select
        a.area_group,
        sum(a.participants) as participants,
        sum(a.completions) as completions,
        sum(a.jobs_filled) as jobs_filled,
        sum(a.starters_with_job) as starters_with_job,
        sum(a.spend_gbp) as spend_gbp,
        sum(a.spend_gbp) filter (where a.is_local) as spend_local_gbp,
        sum(a.spend_sme_gbp) as spend_sme_gbp,
        sum(a.spend_sme_known_gbp) as spend_sme_known_gbp,
        sum(a.spend_vcse_gbp) as spend_vcse_gbp,
        sum(a.spend_vcse_known_gbp) as spend_vcse_known_gbp
    from area_month as a
    where a.network_id = $network_id
        and a.imd_release = $imd_release
        and ($initiative_id is null or a.initiative_id = $initiative_id)
        and ($institution_id is null or a.institution_id = $institution_id)
        and a.month between $date_from and $date_to
    group by all
),

area_groups as (
    select cast(d as varchar) as area_group, d as sort_order
    from range(1, 11) as t (d)
    union all
    select * from (values ('Wales', 11), ('Scotland', 12), ('Northern Ireland', 13), ('unknown', 14))
)

select
    g.area_group,
    try_cast(g.area_group as integer) as imd_decile,
    cast(coalesce(a.participants, 0) as bigint) as participants,
    cast(coalesce(a.completions, 0) as bigint) as completions,
    cast(coalesce(a.jobs_filled, 0) as bigint) as jobs_filled,
    cast(coalesce(a.starters_with_job, 0) as bigint) as starters_with_job,
    coalesce(a.spend_gbp, 0) as spend_gbp,
    coalesce(a.spend_local_gbp, 0) as spend_local_gbp,
    coalesce(a.spend_sme_gbp, 0) as spend_sme_gbp,
    coalesce(a.spend_sme_known_gbp, 0) as spend_sme_known_gbp,
    coalesce(a.spend_vcse_gbp, 0) as spend_vcse_gbp,
    coalesce(a.spend_vcse_known_gbp, 0) as spend_vcse_known_gbp
from area_groups as g
left join by_area as a using (area_group)
order by g.sort_order
