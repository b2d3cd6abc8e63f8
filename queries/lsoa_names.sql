-- one row per English LSOA ranked by an IMD release: code, name, 2024 district name and decile.
-- params: $imd_release
with imd as (
    select lsoa_vintage, lsoa_code, lsoa_name, imd_decile
    from ref_imd
    where imd_release = $imd_release
)

select i.lsoa_code, i.lsoa_name, rl.lad24_name, i.imd_decile
from imd as i
left join lsoa_lad24() as ll using (lsoa_vintage, lsoa_code)
left join ref_lad as rl using (lad24_code)
order by i.lsoa_code
