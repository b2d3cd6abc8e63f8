-- bench: $payments synthetic payments over the bench networks, network k taking about 1/k of them: each network
-- pays 5,000 suppliers of its own with Zipf-like frequency (supplier s about 1/s as often as the first); half the
-- suppliers are in the network's own districts and half anywhere in England or Wales, each at one fixed place;
-- one in four has no postcode in the file; each payment in its institution's submission for the quarter of its
-- date (ids as bench_national_submissions), in the order partners upload them (quarter by quarter, partners in
-- no order);
-- params: $payments, $networks, $institutions, $first_id, $first_day, $quarters
insert into spend by name
with lsoa11 as (
    select lsoa21_code, min(lsoa11_code) as lsoa11_code from ref_lsoa11_lsoa21 group by lsoa21_code
),

local_places as (
    select l.network_id, r.lsoa21_code, o.lsoa11_code, 'England' as nation,
        row_number() over (partition by l.network_id order by r.lsoa21_code) - 1 as k,
        count(*) over (partition by l.network_id) as total
    from network_lad as l
    inner join ref_lsoa21 as r using (lad24_code)
    left join lsoa11 as o using (lsoa21_code)
    where l.network_id like 'bench\_%' escape '\'
),

places as (
    select lsoa21_code, lsoa11_code, nation, row_number() over (order by postcode) - 1 as k,
        count(*) over () as total
    from ref_postcode
    where lsoa21_code is not null
),

payments as (
    select
        g.i,
        printf('bench_%02d', least($networks, cast(floor(pow($networks + 1, hash(g.i) / 18446744073709551616.0))
            as integer))) as network_id,
        cast(floor(pow(5000, hash(g.i * 3 + 1) / 18446744073709551616.0)) as bigint) as supplier,
        cast(hash(g.i * 5 + 2) % $institutions as integer) as institution,
        cast($first_day as date) + cast(hash(g.i * 7 + 3) % datediff('day', cast($first_day as date),
            cast($first_day as date) + to_months(3 * $quarters)) as integer) as payment_date
    from range($payments) as g (i)
),

local_counts as (
    select network_id, max(total) as total from local_places group by network_id
),

-- A supplier's place: its network's own areas for even suppliers, anywhere for odd ones.
placed as (
    select p.*, coalesce(lp.lsoa21_code, pl.lsoa21_code) as lsoa21_code,
        coalesce(lp.lsoa11_code, pl.lsoa11_code) as place_lsoa11,
        coalesce(lp.nation, pl.nation) as place_nation
    from (
        select p.*, if(p.supplier % 2 = 0, (p.supplier * 104729) % c.total, -1) as local_k,
            if(p.supplier % 2 = 1, (p.supplier * 104729) % (select max(total) from places), -1) as far_k
        from payments as p
        inner join local_counts as c using (network_id)
    ) as p
    left join local_places as lp on lp.network_id = p.network_id and lp.k = p.local_k
    left join places as pl on pl.k = p.far_k
)

select
    $first_id + ((cast(right(p.network_id, 2) as integer) * 100 + p.institution) * $quarters
        + datediff('quarter', cast($first_day as date), p.payment_date)) * 2 + 1 as submission_id,
    p.network_id,
    printf('inst_%02d', p.institution) as institution_id,
    null as initiative_id,
    'Bench supplier ' || p.network_id || ' ' || p.supplier as supplier_name,
    null as supplier_id,
    null as supplier_postcode,
    if(p.supplier % 4 = 0, null, p.lsoa21_code) as lsoa21_code,
    if(p.supplier % 4 = 0, null, p.place_lsoa11) as lsoa11_code,
    if(p.supplier % 4 = 0, null, p.place_nation) as nation,
    cast(((p.i * 7919) % 1000000) / 100.0 as decimal(18, 2)) as amount_gbp,
    p.payment_date,
    'Category ' || (p.supplier % 40) as category,
    p.supplier % 3 = 0 as is_sme,
    p.supplier % 11 = 0 as is_vcse
from placed as p
order by datediff('quarter', cast($first_day as date), p.payment_date), hash(p.network_id, p.institution)
