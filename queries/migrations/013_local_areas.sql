-- The network's ranked LSOAs of an IoD release: its 2021 LSOAs in its districts, and a 2011 LSOA when any of its
-- 2021 pieces is (they share a district, bar three complex changes). Shared by representation.sql and
-- disclosure_cells.sql, so the people they count as living in the area are the same.
create macro network_local_areas(for_network, for_release) as table
    with local_lsoa21 as (
        select lsoa21_code
        from ref_lsoa21
        where lad24_code in (select lad24_code from network_lad where network_id = for_network)
    ),

    local_lsoa11 as (
        select distinct lk.lsoa11_code
        from ref_lsoa11_lsoa21 as lk
        inner join local_lsoa21 using (lsoa21_code)
    )

    select i.lsoa_code, i.lsoa_vintage, i.imd_decile
    from ref_imd as i
    inner join local_lsoa21 as l on l.lsoa21_code = i.lsoa_code
    where i.imd_release = for_release and i.lsoa_vintage = 2021
    union all
    select i.lsoa_code, i.lsoa_vintage, i.imd_decile
    from ref_imd as i
    inner join local_lsoa11 as l on l.lsoa11_code = i.lsoa_code
    where i.imd_release = for_release and i.lsoa_vintage = 2011;

-- A Welsh place known only by its 2021 LSOA: the WIMD decile of its 2011 parents, when they agree. Shared by
-- nation_deciles.sql and disclosure_cells.sql.
create macro wales_lsoa21_decile() as table
    select lk.lsoa21_code, min(ni.decile) as decile
    from ref_lsoa11_lsoa21 as lk
    inner join ref_nation_imd as ni on ni.index_name = 'WIMD2019' and ni.area_code = lk.lsoa11_code
    group by lk.lsoa21_code
    having count(distinct ni.decile) = 1;
