-- one row per submission of the network (or of one institution), newest first, with the institution's
-- name and, for spend, the total of its payments; params: $network_id, $institution_id (null = all)
with chosen as (
    select *
    from submission
    where network_id = $network_id and ($institution_id is null or institution_id = $institution_id)
),

spend_totals as (
    select s.submission_id, sum(s.amount_gbp) as total_gbp
    from spend as s
    inner join chosen as c using (submission_id)
    group by s.submission_id
)

select
    c.submission_id,
    c.institution_id,
    i.name as institution_name,
    c.kind,
    c.quarter,
    c.file_name,
    c.sha256,
    c.submitted_by,
    c.submitted_at,
    c.row_count,
    t.total_gbp,
    c.status,
    c.superseded_by
from chosen as c
left join institution as i on i.network_id = c.network_id and i.institution_id = c.institution_id
left join spend_totals as t using (submission_id)
order by c.submitted_at desc, c.submission_id desc
