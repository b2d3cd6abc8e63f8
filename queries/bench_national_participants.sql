-- bench: $participants synthetic participants over the bench networks: network k takes about 1/k of them (a few
-- large networks, many small), each lives in one of the network's own areas, drawn with weight 11 - IMD decile
-- (the most deprived ten times as often as the least, as the demo's recruitment), starts on a day of the
-- $quarters quarters from $first_day, completes (7 in 10) and gets a job (4 in 10) some weeks later; each in its
-- institution's submission for the quarter it started (ids as bench_national_submissions), in the order partners
-- upload them (quarter by quarter, partners in no order);
-- params: $participants, $networks, $institutions, $first_id, $first_day, $quarters
insert into participant by name
with
-- An area's 2011 code (for IoD 2019) is the first of the 2011 areas it came from.
lsoa11 as (
    select lsoa21_code, min(lsoa11_code) as lsoa11_code from ref_lsoa11_lsoa21 group by lsoa21_code
),

areas as (
    select
        l.network_id,
        r.lsoa21_code,
        o.lsoa11_code,
        sum(11 - i.imd_decile) over (partition by l.network_id order by r.lsoa21_code) - (11 - i.imd_decile) as low,
        sum(11 - i.imd_decile) over (partition by l.network_id) as total
    from network_lad as l
    inner join ref_lsoa21 as r using (lad24_code)
    left join lsoa11 as o using (lsoa21_code)
    inner join ref_imd as i on i.imd_release = 'IoD2025' and i.lsoa_vintage = 2021 and i.lsoa_code = r.lsoa21_code
    where l.network_id like 'bench\_%' escape '\'
),

totals as (
    select distinct network_id, total from areas
),

people as (
    select
        g.i,
        printf('bench_%02d', least($networks, cast(floor(pow($networks + 1, hash(g.i) / 18446744073709551616.0))
            as integer))) as network_id,
        cast(hash(g.i * 3 + 1) % $institutions as integer) as institution,
        cast(hash(g.i * 5 + 2) % 3 as integer) as initiative,
        cast($first_day as date) + cast(hash(g.i * 7 + 3) % datediff('day', cast($first_day as date),
            cast($first_day as date) + to_months(3 * $quarters)) as integer) as start_date,
        cast(hash(g.i * 11 + 4) % 100 as integer) as fate,
        hash(g.i * 13 + 5) / 18446744073709551616.0 as where_u
    from range($participants) as g (i)
),

placed as (
    select p.*, t.total * p.where_u as where_w
    from people as p
    inner join totals as t using (network_id)
)

select
    $first_id + ((cast(right(p.network_id, 2) as integer) * 100 + p.institution) * $quarters
        + datediff('quarter', cast($first_day as date), p.start_date)) * 2 as submission_id,
    p.network_id,
    printf('inst_%02d', p.institution) as institution_id,
    printf('initiative_%d', p.initiative) as initiative_id,
    'B' || p.i as participant_ref,
    a.lsoa21_code,
    a.lsoa11_code,
    null as postcode_district,
    'England' as nation,
    p.start_date,
    if(p.fate < 70, p.start_date + cast(30 + p.fate as integer), null) as completion_date,
    if(p.fate < 40, p.start_date + cast(60 + 2 * p.fate as integer), null) as job_start_date,
    null as employer,
    ['18-24', '25-34', '35-49', '50-64'][1 + p.fate % 4] as age_band,
    ['Woman', 'Man', 'Prefer not to say'][1 + p.fate % 3] as gender,
    null as ethnicity,
    null as disability
from placed as p
asof inner join areas as a on a.network_id = p.network_id and p.where_w >= a.low
order by datediff('quarter', cast($first_day as date), p.start_date), hash(p.network_id, p.institution)
