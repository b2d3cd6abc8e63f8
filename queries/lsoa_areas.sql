-- one row per English LSOA of the IMD release's own vintage (2021 or 2011): its name, district and decile, and
-- whether it lies in the network's districts: the map's areas, before any figure (figures_by_lsoa).
-- params: $network_id, $imd_release
with imd as (
    select lsoa_code, lsoa_vintage, lsoa_name, imd_decile
    from ref_imd
    where imd_release = $imd_release
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = $network_id
)

select
    i.lsoa_code,
    i.lsoa_name,
    ll.lad24_code,
    rl.lad24_name,
    i.imd_decile,
    ll.lad24_code in (select lad24_code from local_lads) as in_network_area
from imd as i
left join lsoa_lad24() as ll using (lsoa_vintage, lsoa_code)
left join ref_lad as rl using (lad24_code)
order by i.lsoa_code
