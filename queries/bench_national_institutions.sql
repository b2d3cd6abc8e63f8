-- bench: $institutions institutions for each bench network; params: $institutions
insert into institution by name
select n.network_id, printf('inst_%02d', i) as institution_id, printf('Institution %02d', i) as name,
    ['nhs_trust', 'council', 'university', 'college', 'housing_association'][1 + i % 5] as institution_type
from network as n
cross join range($institutions) as g (i)
where n.network_id like 'bench\_%' escape '\'
