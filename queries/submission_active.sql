-- the active submission (zero or one row) for an institution, dataset kind and quarter, with its
-- total spend in pounds (null for participants); params: $network_id, $institution_id, $kind, $quarter
with active as (
    select submission_id, sha256, read_as, file_name, submitted_by, submitted_at, row_count
    from submission
    where network_id = $network_id and institution_id = $institution_id
        and kind = $kind and quarter = $quarter and status = 'active'
),

spend_total as (
    select submission_id, sum(amount_gbp) as total_gbp
    from spend
    where submission_id in (select submission_id from active)
    group by submission_id
)

select active.submission_id, active.sha256, active.read_as, active.file_name, active.submitted_by, active.submitted_at,
    active.row_count, spend_total.total_gbp
from active
left join spend_total using (submission_id)
