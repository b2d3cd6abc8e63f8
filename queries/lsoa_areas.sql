-- one row per English LSOA of the IMD release's own vintage (2021 or 2011): its name, district and decile: the
-- map's areas, before any network or figure (figures_by_lsoa); params: $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, lsoa_name, imd_decile
    from ref_imd
    where imd_release = $imd_release
)

select
    i.lsoa_code,
    i.lsoa_name,
    ll.lad24_code,
    rl.lad24_name,
    i.imd_decile
from imd as i
left join lsoa_lad24() as ll using (lsoa_vintage, lsoa_code)
left join ref_lad as rl using (lad24_code)
order by i.lsoa_code
