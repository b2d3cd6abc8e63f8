-- bench: adds $networks synthetic networks ('bench_01', ...), each with $institutions institutions, three
-- initiatives and three English districts of its own (the next queries); params: $networks
insert into network by name
select printf('bench_%02d', n) as network_id, printf('Bench network %02d', n) as name,
    'Synthetic network for the benchmark' as description, false as is_demo, now()::timestamp as updated_at
from range(1, $networks + 1) as g (n)
