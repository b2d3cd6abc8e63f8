-- adds one submission's payments to spend_month, summed per month (in the transaction that writes them);
-- params: $submission_id
insert into spend_month by name
select submission_id, network_id, institution_id, initiative_id, date_trunc('month', payment_date) as month,
    category, supplier_name, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse,
    sum(amount_gbp) as amount_gbp, count(*) as payments
from spend
where submission_id = $submission_id
group by all
