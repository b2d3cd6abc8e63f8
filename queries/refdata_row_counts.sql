-- one row per reference table, with its row count; params: none
select 'ref_imd' as table_name, count(*) as row_count from ref_imd
union all select 'ref_lsoa21', count(*) from ref_lsoa21
union all select 'ref_lsoa11', count(*) from ref_lsoa11
union all select 'ref_lsoa11_lsoa21', count(*) from ref_lsoa11_lsoa21
union all select 'ref_population', count(*) from ref_population
union all select 'ref_lad', count(*) from ref_lad
union all select 'ref_postcode', count(*) from ref_postcode
union all select 'ref_nation_imd', count(*) from ref_nation_imd
union all select 'ref_source', count(*) from ref_source
