-- The figures' summaries by place: each active submission's people and payments summed per month and place (its
-- 2021 and 2011 LSOAs and nation, with the Welsh or Scottish decile of that nation's own index), each payment
-- placed once, by its own location or else by the supplier register. The maps, the Welsh and Scottish deciles,
-- the representation of deprived areas, spend by source and a funder's disclosure cells read these rows;
-- area_month (the same sums per IMD decile) is now written from them. Both are written in the transaction of
-- every change they depend on by dashboard/summaries.py and checked against a recalculation by `summaries check`.

create table place_month (
    network_id varchar not null,
    submission_id integer not null,
    initiative_id varchar,
    institution_id varchar not null,
    month date not null,               -- the first day of the events' or payments' month
    lsoa21_code varchar,
    lsoa11_code varchar,
    nation varchar,                    -- null: not placed
    nation_decile smallint,            -- Wales: WIMD 2019 decile; Scotland: SIMD 2020v2 decile of the supplier's
                                       -- data zone (payments only); null elsewhere or not known
    source varchar,                    -- payments: where the place came from; null on the rows of people
    participants bigint not null,      -- starts
    completions bigint not null,
    jobs_filled bigint not null,
    starters_with_job bigint not null, -- by start month, as the next three: the starters' outcomes
    starters_completed bigint not null,
    starters_in_post_6_months_reported bigint not null,
    starters_in_post_6_months bigint not null,
    spend_gbp decimal(18, 2),          -- null on the rows of people
    spend_sme_gbp decimal(18, 2),
    spend_sme_known_gbp decimal(18, 2),
    spend_vcse_gbp decimal(18, 2),
    spend_vcse_known_gbp decimal(18, 2)
);

-- A network's payments in active submissions (all, or only for_submission), placed by their own location, else by
-- the supplier register; summed per submission, initiative, institution, month, place and source. A Scottish
-- place keeps its supplier's postcode, whose data zone gives its SIMD decile.
create or replace macro spend_place_rows(for_network, for_submission) as table
with chosen as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
        and (for_submission is null or submission_id = for_submission)
),

-- The payments; inlined into each use below rather than copied.
payments as not materialized (
    select
        s.submission_id, s.initiative_id, s.institution_id, s.month, s.lsoa21_code, s.lsoa11_code, s.nation,
        if(s.nation = 'Scotland', s.supplier_postcode, null) as scotland_postcode,
        s.is_sme, s.is_vcse, s.supplier_name, s.supplier_id, s.amount_gbp
    from spend_month as s
    inner join chosen using (submission_id)
    where s.network_id = for_network
),

-- Payments summed per place first, so the joins below touch thousands of rows, not millions.
-- Payments carrying their location and both flags need nothing from the register.
spend_complete as (
    select
        submission_id,
        initiative_id,
        institution_id,
        month,
        lsoa21_code,
        lsoa11_code,
        nation,
        scotland_postcode,
        'partner file' as source,
        sum(amount_gbp) as spend_gbp,
        sum(amount_gbp) filter (where is_sme) as spend_sme_gbp,
        sum(amount_gbp) filter (where is_sme is not null) as spend_sme_known_gbp,
        sum(amount_gbp) filter (where is_vcse) as spend_vcse_gbp,
        sum(amount_gbp) filter (where is_vcse is not null) as spend_vcse_known_gbp
    from payments
    where nation is not null and is_sme is not null and is_vcse is not null
    group by all
),

-- The rest, summed per place and supplier. Three disjoint 'is null' filters rather than one 'or':
-- each is pushed into the scan and skips row groups that hold no nulls.
spend_to_match as (
    select
        submission_id, initiative_id, institution_id, month, lsoa21_code, lsoa11_code, nation, scotland_postcode,
        is_sme, is_vcse, supplier_name, supplier_id, sum(amount_gbp) as spend_gbp
    from (
        select * from payments where nation is null
        union all
        select * from payments where nation is not null and is_sme is null
        union all
        select * from payments where nation is not null and is_sme is not null and is_vcse is null
    )
    group by all
),

register as (
    select supplier_key, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse, source
    from supplier_register_placed(for_network)
),

-- Each distinct supplier matched once, not each payment: by identifier first, else by normalised name.
-- (The register keeps identifiers unique; min() makes sure no payment could ever match twice.)
supplier_match as (
    select
        u.supplier_name,
        u.supplier_id,
        coalesce(by_id.supplier_key, by_name.supplier_key) as supplier_key,
        is_redacted(u.supplier_name, u.supplier_id) as redacted
    from (select distinct supplier_name, supplier_id from spend_to_match) as u
    left join (
        select supplier_id, min(supplier_key) as supplier_key from register group by supplier_id
    ) as by_id on by_id.supplier_id = supplier_id_key(u.supplier_id)
    left join register as by_name on by_name.supplier_key = supplier_key(u.supplier_name)
),

-- The payment's own location and flags win; the register fills in only what the payment lacks.
spend_matched as (
    select
        s.submission_id,
        s.initiative_id,
        s.institution_id,
        s.month,
        if(s.nation is null, r.lsoa21_code, s.lsoa21_code) as lsoa21_code,
        if(s.nation is null, r.lsoa11_code, s.lsoa11_code) as lsoa11_code,
        coalesce(s.nation, r.nation) as nation,
        if(s.nation is null, if(r.nation = 'Scotland', r.supplier_postcode, null), s.scotland_postcode)
            as scotland_postcode,
        case
            when s.nation is not null then 'partner file'
            when r.nation is not null then r.source
            when m.redacted then 'redacted'
            else 'unknown'
        end as source,
        sum(s.spend_gbp) as spend_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme)) as spend_sme_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_sme, r.is_sme) is not null) as spend_sme_known_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse)) as spend_vcse_gbp,
        sum(s.spend_gbp) filter (where coalesce(s.is_vcse, r.is_vcse) is not null) as spend_vcse_known_gbp
    from spend_to_match as s
    left join supplier_match as m
        on m.supplier_name = s.supplier_name and m.supplier_id is not distinct from s.supplier_id
    left join register as r on r.supplier_key = m.supplier_key
    group by all
)

select * from spend_complete
union all
select * from spend_matched;


-- What place_month holds for a network's active submissions (or only for_submission, if active): its people's
-- events and its payments, each in the month of its own date, per place.
create or replace macro place_month_rows(for_network, for_submission) as table
with chosen as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
        and (for_submission is null or submission_id = for_submission)
),

people as (
    select
        e.submission_id, e.initiative_id, e.institution_id, cast(date_trunc('month', e.event_date) as date) as month,
        e.lsoa21_code, e.lsoa11_code, e.nation, cast(null as varchar) as scotland_postcode,
        cast(null as varchar) as source,
        cast(sum(e.people) filter (where e.measure = 'participants') as bigint) as participants,
        cast(sum(e.people) filter (where e.measure = 'completions') as bigint) as completions,
        cast(sum(e.people) filter (where e.measure = 'jobs_filled') as bigint) as jobs_filled,
        cast(sum(e.people) filter (where e.measure = 'starters_with_job') as bigint) as starters_with_job,
        cast(sum(e.people) filter (where e.measure = 'starters_completed') as bigint) as starters_completed,
        cast(sum(e.people) filter (where e.measure = 'starters_in_post_6_months_reported') as bigint)
            as starters_in_post_6_months_reported,
        cast(sum(e.people) filter (where e.measure = 'starters_in_post_6_months') as bigint)
            as starters_in_post_6_months,
        cast(null as decimal(38, 2)) as spend_gbp,
        cast(null as decimal(38, 2)) as spend_sme_gbp,
        cast(null as decimal(38, 2)) as spend_sme_known_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_known_gbp
    from participant_events(for_network) as e
    inner join chosen using (submission_id)
    group by all
),

spend as (
    select
        submission_id, initiative_id, institution_id, month, lsoa21_code, lsoa11_code, nation, scotland_postcode,
        source, 0, 0, 0, 0, 0, 0, 0,
        spend_gbp, spend_sme_gbp, spend_sme_known_gbp, spend_vcse_gbp, spend_vcse_known_gbp
    from spend_place_rows(for_network, for_submission)
),

placed as (
    select * from people
    union all
    select * from spend
),

-- A Scottish supplier's data zone comes from its postcode, known when the ONS postcode lookup was loaded.
scottish_postcodes as (
    select postcode, data_zone_code
    from ref_postcode
    where nation = 'Scotland' and data_zone_code is not null
)

select
    for_network as network_id,
    p.submission_id,
    p.initiative_id,
    p.institution_id,
    p.month,
    p.lsoa21_code,
    p.lsoa11_code,
    p.nation,
    cast(case
        when p.nation = 'Wales' then coalesce(w11.decile, w21.decile)
        when p.nation = 'Scotland' then dz.decile
    end as smallint) as nation_decile,
    p.source,
    cast(coalesce(sum(p.participants), 0) as bigint) as participants,
    cast(coalesce(sum(p.completions), 0) as bigint) as completions,
    cast(coalesce(sum(p.jobs_filled), 0) as bigint) as jobs_filled,
    cast(coalesce(sum(p.starters_with_job), 0) as bigint) as starters_with_job,
    cast(coalesce(sum(p.starters_completed), 0) as bigint) as starters_completed,
    cast(coalesce(sum(p.starters_in_post_6_months_reported), 0) as bigint) as starters_in_post_6_months_reported,
    cast(coalesce(sum(p.starters_in_post_6_months), 0) as bigint) as starters_in_post_6_months,
    sum(p.spend_gbp) as spend_gbp,
    sum(p.spend_sme_gbp) as spend_sme_gbp,
    sum(p.spend_sme_known_gbp) as spend_sme_known_gbp,
    sum(p.spend_vcse_gbp) as spend_vcse_gbp,
    sum(p.spend_vcse_known_gbp) as spend_vcse_known_gbp
from placed as p
left join ref_nation_imd as w11
    on p.nation = 'Wales' and w11.index_name = 'WIMD2019' and w11.area_code = p.lsoa11_code
left join wales_lsoa21_decile() as w21
    on p.nation = 'Wales' and p.lsoa11_code is null and w21.lsoa21_code = p.lsoa21_code
left join scottish_postcodes as rp on p.nation = 'Scotland' and rp.postcode = p.scotland_postcode
left join ref_nation_imd as dz on dz.index_name = 'SIMD2020v2' and dz.area_code = rp.data_zone_code
group by p.submission_id, p.initiative_id, p.institution_id, p.month, p.lsoa21_code, p.lsoa11_code, p.nation,
    nation_decile, p.source, (p.spend_gbp is null);


-- As in 027, but from place_month (written first, in the same transaction): each place takes the IMD decile of
-- the release's own LSOA vintage (2021 or 2011), and a payment is local when its 2021 LSOA is in the network's
-- districts.
create or replace macro area_month_rows(for_network, for_submission, releases) as table
with release as (
    select unnest(releases) as imd_release
),

chosen as (
    select submission_id
    from submission
    where network_id = for_network and status = 'active'
        and (for_submission is null or submission_id = for_submission)
),

local_lads as (
    select lad24_code
    from network_lad
    where network_id = for_network
),

placed as (
    select p.*, p.spend_gbp is null as is_people
    from place_month as p
    inner join chosen using (submission_id)
    where p.network_id = for_network
),

people_by_area as (
    select
        p.submission_id, p.initiative_id, p.institution_id, p.month, r.imd_release,
        imd_area_group(p.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        false as is_local,
        cast(sum(p.participants) as bigint) as participants,
        cast(sum(p.completions) as bigint) as completions,
        cast(sum(p.jobs_filled) as bigint) as jobs_filled,
        cast(sum(p.starters_with_job) as bigint) as starters_with_job,
        cast(null as decimal(38, 2)) as spend_gbp,
        cast(null as decimal(38, 2)) as spend_sme_gbp,
        cast(null as decimal(38, 2)) as spend_sme_known_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_gbp,
        cast(null as decimal(38, 2)) as spend_vcse_known_gbp
    from placed as p
    cross join release as r
    left join ref_imd as i21
        on i21.imd_release = r.imd_release and i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
    left join ref_imd as i11
        on i11.imd_release = r.imd_release and i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
    where p.is_people
    group by all
),

spend_by_area as (
    select
        p.submission_id, p.initiative_id, p.institution_id, p.month, r.imd_release,
        imd_area_group(p.nation, coalesce(i21.imd_decile, i11.imd_decile)) as area_group,
        coalesce(rl.lad24_code in (select lad24_code from local_lads), false) as is_local,
        cast(0 as bigint) as participants,
        cast(0 as bigint) as completions,
        cast(0 as bigint) as jobs_filled,
        cast(0 as bigint) as starters_with_job,
        sum(p.spend_gbp) as spend_gbp,
        sum(p.spend_sme_gbp) as spend_sme_gbp,
        sum(p.spend_sme_known_gbp) as spend_sme_known_gbp,
        sum(p.spend_vcse_gbp) as spend_vcse_gbp,
        sum(p.spend_vcse_known_gbp) as spend_vcse_known_gbp
    from placed as p
    cross join release as r
    left join ref_lsoa21 as rl using (lsoa21_code)
    left join ref_imd as i21
        on i21.imd_release = r.imd_release and i21.lsoa_vintage = 2021 and i21.lsoa_code = p.lsoa21_code
    left join ref_imd as i11
        on i11.imd_release = r.imd_release and i11.lsoa_vintage = 2011 and i11.lsoa_code = p.lsoa11_code
    where not p.is_people
    group by all
)

select for_network as network_id, * from people_by_area
union all
select for_network as network_id, * from spend_by_area;


-- A selection's rows of place_month: its network's active submissions (the only ones summarised), its initiative
-- and institution (null = all) and its months.
create or replace macro place_selection(for_network, for_initiative, for_institution, date_from, date_to) as table
select *
from place_month
where network_id = for_network
    and (for_initiative is null or initiative_id = for_initiative)
    and (for_institution is null or institution_id = for_institution)
    and month between date_from and date_to;

-- Read from place_month now.
drop macro table spend_located;
drop macro table selection_payments_located;
drop macro table spend_placed;
