-- marks a network's summaries as being rewritten, first in the transaction that rewrites them: two changes to
-- one network's summaries at once conflict on this row and one is tried again; params: $network_id
insert into area_month_network (network_id, version, changed_at)
values ($network_id, 1, current_timestamp)
on conflict (network_id) do update set version = area_month_network.version + 1, changed_at = excluded.changed_at
