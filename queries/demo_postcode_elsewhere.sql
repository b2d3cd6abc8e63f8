-- one row per postcode of the given nation outside the network's districts, every $step-th one
-- (a thin, deterministic sample); params: $network_id, $nation, $step
with candidates as (
    select rp.postcode, row_number() over (order by rp.postcode) as n
    from ref_postcode as rp
    left join ref_lsoa21 as rl using (lsoa21_code)
    where rp.nation = $nation
        and coalesce(rl.lad24_code, '') not in (
            select nl.lad24_code from network_lad as nl where nl.network_id = $network_id
        )
)

select postcode
from candidates
where n % $step = 0
order by postcode
