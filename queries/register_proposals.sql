-- proposed register entries for a network's suppliers whose spend has no place yet (no location of the
-- payment's own, no coordinator entry, no match in use), largest spend first, then the best candidate;
-- params: $network_id
with active as (
    select submission_id
    from submission
    where network_id = $network_id and status = 'active'
),

unplaced as (
    select
        supplier_key(s.supplier_name) as supplier_key,
        first(s.supplier_name order by s.amount_gbp desc) as supplier_name,
        count(*) as payments,
        sum(s.amount_gbp) as spend_gbp
    from spend as s
    inner join active using (submission_id)
    where s.nation is null and not is_redacted(s.supplier_name, s.supplier_id)
    group by 1
),

releases as (
    select register, max(release_date) as release_date
    from register_file
    group by register
)

select
    u.supplier_key,
    u.supplier_name,
    u.payments,
    u.spend_gbp,
    m.register,
    m.entity_id,
    m.method,
    m.score,
    e.name as entity_name,
    e.status as entity_status,
    e.legal_form,
    e.address,
    e.postcode,
    e.nation,
    r.release_date
from unplaced as u
inner join register_match as m on m.network_id = $network_id and m.supplier_key = u.supplier_key
inner join register_entity as e using (register, entity_id)
left join releases as r using (register)
where m.status = 'proposed'
    and u.supplier_key not in (
        select supplier_key
        from register_match
        where network_id = $network_id and status in ('automatic', 'confirmed')
    )
    and u.supplier_key not in (select supplier_key from supplier_register where network_id = $network_id)
order by u.spend_gbp desc, u.supplier_key, m.score desc, m.register, m.entity_id
