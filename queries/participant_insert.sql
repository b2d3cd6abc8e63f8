-- inserts the registered frame incoming_rows (one row per participant) into participant; params: none
insert into participant by name
select submission_id, network_id, institution_id, initiative_id, participant_ref,
    lsoa21_code, lsoa11_code, postcode_district, nation,
    cast(start_date as date) as start_date, cast(completion_date as date) as completion_date,
    cast(job_start_date as date) as job_start_date,
    employer, in_post_6_months, age_band, gender, ethnicity, disability
from incoming_rows
