-- how many people and monthly payment sums each network holds (what dashboard/cluster.py rewrites);
-- params: none
select n.network_id,
    (select count(*) from participant as p where p.network_id = n.network_id) as participants,
    (select count(*) from spend_month as s where s.network_id = n.network_id) as spend_months
from network as n
order by n.network_id
