-- writes the summary rows by place of a network's submissions (or of one) from their rows, before area_month,
-- which is written from them; params: $network_id, $submission_id (null = all)
insert into place_month by name
select *
from place_month_rows($network_id, $submission_id)
