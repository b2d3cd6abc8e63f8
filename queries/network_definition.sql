-- one network's own settings as its YAML holds them: name, description, demo, disclosure threshold, public view,
-- year start; params: $network_id
select
    n.network_id,
    n.name,
    n.description,
    n.is_demo,
    n.disclosure_threshold,
    coalesce(a.public_view, false) as public_view,
    coalesce(n.year_start, 'calendar') as year_start
from network as n
left join network_access as a using (network_id)
where n.network_id = $network_id
