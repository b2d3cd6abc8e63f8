-- adds $rows synthetic spend rows to the network, one active submission, suppliers spread over every
-- located postcode in England and Wales (benchmark only); params: $network_id, $rows
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
)

select
    submission_id.submission_id,
    $network_id as network_id,
    (select institution_id from submission where submission_id = submission_id.submission_id) as institution_id,
    null as initiative_id,
    'Bench supplier ' || (g.i % 50000) as supplier_name,
    null as supplier_id,
    null as supplier_postcode,
    places.lsoa21_code,
    places.lsoa11_code,
    places.nation,
    cast(((g.i * 7919) % 1000000) / 100.0 as decimal(18, 2)) as amount_gbp,
    date '2024-10-01' + cast(g.i % 730 as integer) as payment_date,
    null as category,
    g.i % 3 = 0 as is_sme,
    g.i % 11 = 0 as is_vcse
from range($rows) as g (i)
cross join place_count
cross join submission_id
inner join places on places.n = (g.i * 104729) % place_count.total
