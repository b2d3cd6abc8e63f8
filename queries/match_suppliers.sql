-- the network's suppliers still to match: one row per supplier key of its active spend (or of one submission's),
-- redacted payees left out, with the identifiers given for it and its spend; a supplier already matched,
-- proposed, confirmed or tried is left out unless only its rejected candidates are on record;
-- params: $network_id, $submission_id (null = every active submission)
with payments as (
    select s.supplier_name, s.supplier_id, s.amount_gbp
    from spend as s
    inner join submission as sub using (submission_id)
    where sub.network_id = $network_id
        and (($submission_id is null and sub.status = 'active') or s.submission_id = $submission_id)
),

pairs as (
    select supplier_key(supplier_name) as supplier_key, supplier_name, supplier_id_key(supplier_id) as supplier_id,
        sum(amount_gbp) as spend_gbp
    from payments
    where not is_redacted(supplier_name, supplier_id)
    group by all
)

select
    supplier_key,
    first(supplier_name order by spend_gbp desc, supplier_name) as supplier_name,
    coalesce(list(distinct supplier_id) filter (where supplier_id is not null), []) as supplier_ids,
    sum(spend_gbp) as spend_gbp
from pairs
where supplier_key <> ''
    and supplier_key not in (
        select supplier_key
        from register_match
        where network_id = $network_id and status <> 'rejected'
    )
group by supplier_key
order by supplier_key
