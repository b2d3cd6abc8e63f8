-- one row per postcode in the registered frame postcode_input, with its LSOAs and nation when known; params: none
select pi.postcode, rp.lsoa21_code, rp.lsoa11_code, rp.nation
from postcode_input as pi
inner join ref_postcode as rp using (postcode)
