-- one row per active submission whose recorded row count is not the rows it holds (none when every one is whole):
-- its people (records held, and those a retention run replaced by counts) or payments, and for spend the payments
-- its monthly sums count; params: none
with active as (
    select submission_id, network_id, institution_id, kind, quarter, file_name, row_count
    from submission
    where status = 'active'
),

participant_rows as (
    select submission_id, sum(rows_held) as rows_held
    from (
        select submission_id, count(*) as rows_held
        from participant
        group by submission_id
        union all
        select submission_id, sum(people)
        from participant_tally
        where measure = 'participants'
        group by submission_id
    )
    group by submission_id
),

spend_rows as (
    select submission_id, count(*) as rows_held
    from spend
    group by submission_id
),

month_rows as (
    select submission_id, sum(payments) as rows_summed
    from spend_month
    group by submission_id
),

held as (
    select
        a.submission_id,
        a.network_id,
        a.institution_id,
        a.kind,
        a.quarter,
        a.file_name,
        a.row_count,
        case when a.kind = 'participants' then coalesce(p.rows_held, 0) else coalesce(s.rows_held, 0) end as rows_held,
        case when a.kind = 'spend' then coalesce(m.rows_summed, 0) end as rows_summed
    from active as a
    left join participant_rows as p on p.submission_id = a.submission_id
    left join spend_rows as s on s.submission_id = a.submission_id
    left join month_rows as m on m.submission_id = a.submission_id
)

select submission_id, network_id, institution_id, kind, quarter, file_name, row_count, rows_held, rows_summed
from held
where rows_held <> row_count or coalesce(rows_summed <> row_count, false)
order by network_id, institution_id, kind, quarter
