-- bench: three English districts for each bench network, taken in turn from the list of English districts;
-- params: none
insert into network_lad by name
with lads as (
    select lad24_code, row_number() over (order by lad24_code) - 1 as k, count(*) over () as total
    from ref_lad
    where nation = 'England'
)

select n.network_id, lads.lad24_code
from (
    select network_id, cast(right(network_id, 2) as integer) as n
    from network
    where network_id like 'bench\_%' escape '\'
) as n
inner join lads on lads.k in ((n.n * 3) % lads.total, (n.n * 3 + 1) % lads.total, (n.n * 3 + 2) % lads.total)
