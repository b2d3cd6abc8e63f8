-- The Welsh and Scottish deciles read only the payments placed in those nations (or not placed yet, which the
-- supplier register may place there): for_nations names them. Nothing else reads this macro.
create or replace macro selection_payments_located(network, initiative, institution, date_from, date_to,
                                                   for_nations) as table
    with payments as (
        select sp.lsoa21_code, sp.lsoa11_code, sp.nation, sp.supplier_postcode, sp.supplier_name, sp.supplier_id,
            sp.amount_gbp
        from spend_month as sp
        inner join submission as s using (submission_id)
        where s.network_id = network and sp.network_id = network and s.status = 'active'
            and (initiative is null or sp.initiative_id = initiative)
            and (institution is null or sp.institution_id = institution)
            and sp.month between date_from and date_to
            and (sp.nation is null or list_contains(for_nations, sp.nation))
    ),

    register as (
        select supplier_key, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation
        from supplier_register_placed(network)
    ),

    unlocated as (
        select supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
        from payments
        where nation is null
        group by all
    ),

    matched as (
        select u.spend_gbp, coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key
        from unlocated as u
        left join (
            select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
        ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
        left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
    )

    select lsoa21_code, lsoa11_code, nation, supplier_postcode, sum(amount_gbp) as spend_gbp
    from payments
    where nation is not null
    group by all
    union all
    select r.lsoa21_code, r.lsoa11_code, r.nation, r.supplier_postcode, sum(m.spend_gbp) as spend_gbp
    from matched as m
    left join register as r using (supplier_key)
    where list_contains(for_nations, r.nation)
    group by all;
