-- sets whether a network has a public read-only view; params: $network_id, $public_view
insert into network_access (network_id, public_view)
values ($network_id, $public_view)
on conflict (network_id) do update set public_view = excluded.public_view
