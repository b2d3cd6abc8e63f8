-- one row per institution of the network, dataset kind in $kinds and quarter in $quarters, with that
-- quarter's active submission (null columns when missing) and the latest quarter up to the board's last
-- for which the institution sent that kind; params: $network_id, $kinds (list), $quarters (list of '2025Q3')
with institutions as (
    select institution_id, name as institution_name
    from institution
    where network_id = $network_id
),

kinds as (
    select unnest($kinds) as kind
),

quarters as (
    select unnest($quarters) as quarter
),

active as (
    select institution_id, kind, quarter, submission_id, file_name, submitted_by, submitted_at, row_count
    from submission
    where network_id = $network_id and status = 'active'
),

-- Quarter labels like 2025Q3 sort in time order as text; later quarters than the board's do not count.
last_sent as (
    select institution_id, kind, max(quarter) as last_quarter_sent
    from active
    where quarter <= (select max(quarter) from quarters)
    group by all
)

select
    i.institution_id,
    i.institution_name,
    k.kind,
    q.quarter,
    a.submission_id,
    a.file_name,
    a.submitted_by,
    a.submitted_at,
    a.row_count,
    l.last_quarter_sent
from institutions as i
cross join kinds as k
cross join quarters as q
left join active as a
    on a.institution_id = i.institution_id and a.kind = k.kind and a.quarter = q.quarter
left join last_sent as l
    on l.institution_id = i.institution_id and l.kind = k.kind
order by i.institution_name, k.kind, q.quarter
