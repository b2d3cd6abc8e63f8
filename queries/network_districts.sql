-- one row per local authority district that counts as local for the network; params: $network_id
select nl.lad24_code, coalesce(lad.lad24_name, nl.lad24_code) as lad24_name
from network_lad as nl
left join ref_lad as lad using (lad24_code)
where nl.network_id = $network_id
order by lad24_name
