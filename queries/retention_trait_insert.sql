-- adds the equality answers of the records held in participant_retiring (retention_hold.sql) to
-- participant_trait_tally, counted per submission, initiative, question, answer, measure and month; params: none
insert into participant_trait_tally (submission_id, network_id, institution_id, initiative_id, characteristic, value,
                                     measure, month, people)
select
    submission_id, network_id, institution_id, initiative_id, characteristic, value, measure,
    cast(date_trunc('month', event_date) as date) as month,
    cast(sum(people) as integer) as people
from record_traits('participant_retiring')
group by all
