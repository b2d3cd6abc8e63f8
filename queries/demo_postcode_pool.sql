-- one row per postcode in the network's local districts, with its IoD2025 decile (for drawing demo
-- residents and suppliers); params: $network_id
select rp.postcode, imd.imd_decile
from ref_postcode as rp
inner join ref_lsoa21 as rl using (lsoa21_code)
inner join network_lad as nl on nl.lad24_code = rl.lad24_code and nl.network_id = $network_id
inner join ref_imd as imd on imd.imd_release = 'IoD2025' and imd.lsoa_code = rp.lsoa21_code
order by rp.postcode
