-- loads the tiny reference world from registered frames named <table>_rows; params: none
insert into ref_imd by name select * from ref_imd_rows;
insert into ref_lsoa21 by name select * from ref_lsoa21_rows;
insert into ref_lsoa11_lsoa21 by name select * from ref_lsoa11_lsoa21_rows;
insert into ref_population by name select * from ref_population_rows;
insert into ref_lad by name select * from ref_lad_rows;
insert into ref_postcode by name select * from ref_postcode_rows;
insert into ref_nation_imd by name select * from ref_nation_imd_rows;
