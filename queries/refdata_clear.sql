-- empties every ref_* table, inside the transaction of the load that refills them; params: none
-- (several statements: the reference layer is replaced as one unit)
delete from ref_source;
delete from ref_imd;
delete from ref_lsoa21;
delete from ref_lsoa11;
delete from ref_lsoa11_lsoa21;
delete from ref_population;
delete from ref_population21;
delete from ref_lad;
delete from ref_postcode;
delete from ref_nation_imd;
