-- one row per normalised supplier key whose spend in the network's active submissions has no known
-- location after matching the supplier register, largest spend first, with its most used raw name
-- and identifier; params: $network_id, $date_from, $date_to (inclusive; null = open)
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

-- Payments without a location of their own, summed per raw supplier before any matching. A payment naming
-- no supplier and giving no identifier (redacted in the file) cannot be classified: it is left out here.
unlocated as (
    select s.supplier_name, s.supplier_id, count(*) as payments, sum(s.amount_gbp) as spend_gbp
    from spend as s
    inner join active using (submission_id)
    where s.nation is null
        and not is_redacted(s.supplier_name, s.supplier_id)
        and ($date_from is null or s.payment_date >= $date_from)
        and ($date_to is null or s.payment_date <= $date_to)
    group by all
),

-- The coordinator's entries and the official registers' matches that give a location.
register as (
    select supplier_key, supplier_id
    from supplier_register_placed($network_id)
    where nation is not null
),

-- Matched as figures_by_area matches (by identifier, else by normalised name); kept are those matching nothing.
unmatched as (
    select
        supplier_key(u.supplier_name) as supplier_key,
        u.supplier_name,
        supplier_id_key(u.supplier_id) as supplier_id,
        u.payments,
        u.spend_gbp
    from unlocated as u
    left join register as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
    left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
    where by_id.supplier_key is null and by_name.supplier_key is null
),

names as (
    select supplier_key, supplier_name, sum(payments) as payments, sum(spend_gbp) as spend_gbp
    from unmatched
    group by all
),

identifiers as (
    select supplier_key, supplier_id, sum(payments) as payments, sum(spend_gbp) as spend_gbp
    from unmatched
    where supplier_id is not null
    group by all
),

-- "Most used" = most payments, then most spend, then first alphabetically (so ties are stable).
by_key as (
    select
        supplier_key,
        first(supplier_name order by payments desc, spend_gbp desc, supplier_name) as supplier_name,
        cast(sum(payments) as bigint) as payments,
        sum(spend_gbp) as spend_gbp
    from names
    group by supplier_key
),

top_identifier as (
    select supplier_key, first(supplier_id order by payments desc, spend_gbp desc, supplier_id) as supplier_id
    from identifiers
    group by supplier_key
)

select k.supplier_key, k.supplier_name, i.supplier_id, k.payments, k.spend_gbp
from by_key as k
left join top_identifier as i using (supplier_key)
order by k.spend_gbp desc, k.supplier_key
