-- one row per institution with payments in the selection: spend in integer pence in total, local, in IMD deciles
-- 1-2 of the release, of unknown location, with SMEs and with VCSEs, a payment placed and flagged by the supplier
-- register where it lacks them. Read from the summaries (area_month), as figures_by_area.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
select
    a.institution_id,
    cast(sum(a.spend_gbp) * 100 as bigint) as spend_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.is_local), 0) * 100 as bigint) as local_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.area_group in ('1', '2')), 0) * 100 as bigint) as deprived_pence,
    cast(coalesce(sum(a.spend_gbp) filter (where a.area_group = 'unknown'), 0) * 100 as bigint) as unknown_pence,
    cast(coalesce(sum(a.spend_sme_gbp), 0) * 100 as bigint) as sme_pence,
    cast(coalesce(sum(a.spend_vcse_gbp), 0) * 100 as bigint) as vcse_pence
from area_month as a
where a.network_id = $network_id
    and a.imd_release = $imd_release
    and a.spend_gbp is not null
    and ($initiative_id is null or a.initiative_id = $initiative_id)
    and ($institution_id is null or a.institution_id = $institution_id)
    and a.month between $date_from and $date_to
group by all
