-- writes ref_population21 again from ref_population and ref_lsoa11_lsoa21 (population21_rows, migration 028),
-- inside the transaction that loaded them; params: none
delete from ref_population21;
insert into ref_population21
select lsoa21_code, population_working_age
from population21_rows()
