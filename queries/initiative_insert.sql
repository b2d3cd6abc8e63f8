-- inserts the registered frame initiative_rows (one row per initiative); params: none
insert into initiative by name
select network_id, initiative_id, name, lead_institution_id,
    cast(start_date as date) as start_date, cast(end_date as date) as end_date, description
from initiative_rows
