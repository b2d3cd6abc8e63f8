-- adds $rows synthetic payments to the network's active spend submission (benchmark only): 50,000 suppliers,
-- each with one fixed place (a postcode in England or Wales), paid with Zipf-like frequency (supplier k about
-- 1/k as often as the first: a few take most payments, as in councils' own exports), one supplier in four with
-- no postcode in the file (placed only through the supplier register, if at all); payments spread over the two
-- years from October 2024; params: $network_id, $rows
insert into spend by name
with places as (
    select lsoa21_code, lsoa11_code, nation, row_number() over (order by postcode) - 1 as n
    from ref_postcode
    where lsoa21_code is not null
),

place_count as (
    select count(*) as total from places
),

submission_id as (
    select max(submission_id) as submission_id
    from submission
    where network_id = $network_id and kind = 'spend' and status = 'active'
),

-- A log-uniform draw of the supplier: P(k) is about proportional to 1/k, for k from 1 to 50,000.
payments as (
    select g.i, cast(floor(pow(50000, hash(g.i) / 18446744073709551616.0)) as bigint) as supplier
    from range($rows) as g (i)
)

select
    submission_id.submission_id,
    $network_id as network_id,
    (select institution_id from submission where submission_id = submission_id.submission_id) as institution_id,
    null as initiative_id,
    'Bench supplier ' || p.supplier as supplier_name,
    null as supplier_id,
    null as supplier_postcode,
    if(p.supplier % 4 = 0, null, places.lsoa21_code) as lsoa21_code,
    if(p.supplier % 4 = 0, null, places.lsoa11_code) as lsoa11_code,
    if(p.supplier % 4 = 0, null, places.nation) as nation,
    cast(((p.i * 7919) % 1000000) / 100.0 as decimal(18, 2)) as amount_gbp,
    date '2024-10-01' + cast(p.i % 730 as integer) as payment_date,
    'Category ' || (p.supplier % 40) as category,
    p.supplier % 3 = 0 as is_sme,
    p.supplier % 11 = 0 as is_vcse
from payments as p
cross join place_count
cross join submission_id
inner join places on places.n = (p.supplier * 104729) % place_count.total
