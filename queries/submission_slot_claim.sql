-- claims the one row of an institution, kind and quarter for this transaction (a racing commit conflicts
-- and is retried); params: $network_id, $institution_id, $kind, $quarter
insert into submission_slot (network_id, institution_id, kind, quarter, commits)
values ($network_id, $institution_id, $kind, $quarter, 1)
on conflict do update set commits = commits + 1
