-- adds the events of the records held in participant_retiring (retention_hold.sql) to participant_tally, counted
-- per submission, initiative, small area, measure and month; params: none
insert into participant_tally (submission_id, network_id, institution_id, initiative_id, lsoa21_code, lsoa11_code,
                               nation, measure, month, people)
select
    submission_id, network_id, institution_id, initiative_id, lsoa21_code, lsoa11_code, nation, measure,
    cast(date_trunc('month', event_date) as date) as month,
    cast(sum(people) as integer) as people
from record_events('participant_retiring')
group by all
