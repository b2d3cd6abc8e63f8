-- bench: forgets one submission's monthly sums before they are summed again (spend_month_insert) once the
-- benchmark has added payments to it; params: $submission_id
delete from spend_month where submission_id = $submission_id
