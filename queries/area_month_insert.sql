-- writes the summary rows of a network's submissions (or of one) from their rows;
-- params: $network_id, $submission_id (null = all), $releases (the IoD releases the product knows)
insert into area_month by name
select *
from area_month_rows($network_id, $submission_id, $releases)
