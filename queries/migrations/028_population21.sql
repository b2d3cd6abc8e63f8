-- The File 6 working-age population carried to 2021 LSOAs, kept beside the reference tables it comes from (and
-- written again with them: ref_population21_refresh.sql), so a network's population by decile is a join rather
-- than the lookup's shares worked out on every read.

-- An unchanged LSOA keeps its population; a merged 2021 LSOA takes the sum of its 2011 parts; a split 2011 LSOA's
-- population is divided equally among its 2021 pieces (a complex change: divided equally, then summed).
create or replace macro population21_rows() as table
select lk.lsoa21_code, sum(cast(pop.population_working_age / lk.pieces as decimal(38, 9))) as population_working_age
from (
    select lsoa11_code, lsoa21_code, count(*) over (partition by lsoa11_code) as pieces
    from ref_lsoa11_lsoa21
) as lk
inner join ref_population as pop using (lsoa11_code)
group by lk.lsoa21_code;

create table ref_population21 (
    lsoa21_code varchar not null,
    population_working_age decimal(38, 9) not null
);

insert into ref_population21
select lsoa21_code, population_working_age
from population21_rows();
