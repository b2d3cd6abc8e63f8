-- bench: one active spend submission of the network holding a payment to each name of the registered frame
-- bench_names (supplier_name, supplier_id, amount_gbp), for timing supplier matching; params: $network_id
insert into spend (submission_id, network_id, institution_id, supplier_name, supplier_id, amount_gbp, payment_date)
select
    (select max(submission_id) from submission where network_id = $network_id and kind = 'spend'
        and status = 'active'),
    $network_id,
    (select min(institution_id) from institution where network_id = $network_id),
    supplier_name,
    supplier_id,
    amount_gbp,
    date '2026-09-30'
from bench_names
