-- one row: how many active submissions the demo networks hold; params: none
select count(*) as submissions
from submission as s
inner join network as n using (network_id)
where n.is_demo and s.status = 'active'
