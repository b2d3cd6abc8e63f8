-- bench: three initiatives for each bench network, led by its first institution; params: none
insert into initiative by name
select n.network_id, printf('initiative_%d', i) as initiative_id, printf('Initiative %d', i) as name,
    'inst_00' as lead_institution_id, date '2021-10-01' as start_date, null as end_date,
    'Synthetic initiative for the benchmark' as description
from network as n
cross join range(3) as g (i)
where n.network_id like 'bench\_%' escape '\'
