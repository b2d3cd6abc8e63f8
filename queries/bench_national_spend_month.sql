-- bench: the bench networks' payments summed per submission and month, as each commit's spend_month_insert does,
-- in the order partners upload them (month by month, partners in no order); params: none
insert into spend_month by name
select submission_id, network_id, institution_id, initiative_id, date_trunc('month', payment_date) as month,
    category, supplier_name, supplier_id, supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse,
    sum(amount_gbp) as amount_gbp, count(*) as payments
from spend
where network_id like 'bench\_%' escape '\'
group by submission_id, network_id, institution_id, initiative_id, month, category, supplier_name, supplier_id,
    supplier_postcode, lsoa21_code, lsoa11_code, nation, is_sme, is_vcse
order by month, hash(submission_id)
