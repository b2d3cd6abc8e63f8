-- one row per English LSOA of the IMD release's own vintage (2021 or 2011) where the selection has any figure:
-- its people and spend placed in it; each event counted in the month of its own date, as in figures_by_area (whose
-- deciles these rows add up to). Read from the summaries by place (place_month). The map's areas themselves:
-- lsoa_areas.sql.
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all),
--         $date_from, $date_to (inclusive, whole months), $imd_release
with imd as (
    select lsoa_code, lsoa_vintage
    from ref_imd
    where imd_release = $imd_release
),

-- Summed per place first, so the joins below touch each place once.
places as (
    select
        lsoa21_code,
        lsoa11_code,
        sum(participants) as participants,
        sum(completions) as completions,
        sum(jobs_filled) as jobs_filled,
        sum(spend_gbp) as spend_gbp
    from place_selection($network_id, $initiative_id, $institution_id, $date_from, $date_to)
    where nation = 'England'
    group by all
),

-- An English place takes the LSOA of the release's own vintage, exactly as figures_by_area finds its decile.
by_lsoa as (
    select
        coalesce(i21.lsoa_code, i11.lsoa_code) as lsoa_code,
        cast(sum(p.participants) as bigint) as participants,
        cast(sum(p.completions) as bigint) as completions,
        cast(sum(p.jobs_filled) as bigint) as jobs_filled,
        coalesce(sum(p.spend_gbp), 0) as spend_gbp
    from places as p
    left join imd as i21 on i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
    left join imd as i11 on i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
    group by all
)

select lsoa_code, participants, completions, jobs_filled, spend_gbp
from by_lsoa
where lsoa_code is not null
