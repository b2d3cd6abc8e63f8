-- sets a network's retention rule: participants' row-level records are kept $keep_years years after their
-- initiative ends (see participant_due in migration 027); params: $network_id, $keep_years, $set_by, $set_at
insert or replace into network_retention (network_id, keep_years, set_by, set_at)
values ($network_id, $keep_years, $set_by, $set_at)
