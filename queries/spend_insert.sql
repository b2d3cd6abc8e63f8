-- inserts the registered frame incoming_rows (one row per payment) into spend; params: none
insert into spend by name
select submission_id, network_id, institution_id, initiative_id, supplier_name, supplier_id,
    supplier_postcode, lsoa21_code, lsoa11_code, nation,
    cast(amount_gbp as decimal(18, 2)) as amount_gbp, cast(payment_date as date) as payment_date,
    category, is_sme, is_vcse, coalesce(payment_date_precision, 'day') as payment_date_precision
from incoming_rows
