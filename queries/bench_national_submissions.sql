-- bench: one active participants and one active spend submission per bench institution and quarter, for the
-- $quarters quarters from $first_day; ids from $first_id on (institution, quarter, kind in turn);
-- params: $first_id, $first_day, $quarters
insert into submission by name
select
    $first_id + ((cast(right(i.network_id, 2) as integer) * 100 + cast(right(i.institution_id, 2) as integer))
        * $quarters + q) * 2 + k as submission_id,
    i.network_id,
    i.institution_id,
    ['participants', 'spend'][k + 1] as kind,
    strftime(cast($first_day as date) + to_months(3 * q), '%Y') || 'Q'
        || (1 + (month(cast($first_day as date) + to_months(3 * q)) - 1) // 3) as quarter,
    'bench.csv' as file_name,
    '' as sha256,
    'bench' as submitted_by,
    now()::timestamp as submitted_at,
    0 as row_count,
    'active' as status,
    null as superseded_by
from institution as i
cross join range($quarters) as gq (q)
cross join range(2) as gk (k)
where i.network_id like 'bench\_%' escape '\'
