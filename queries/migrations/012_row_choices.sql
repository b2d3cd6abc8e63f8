-- How exactly each payment's date is known, and what a partner chose for rows that could not be
-- counted as they were (left out, or dated to the submission's quarter).
alter table spend add column payment_date_precision varchar default 'day';  -- 'day' | 'month' | 'quarter'

-- JSON: {"left_out": [{"row", "reason", "amount_gbp"}], "left_out_total_gbp", "dated_to_quarter"}; null: none
alter table submission add column row_choices varchar;

-- How the file was read (JSON: its columns as fields, and the row choices): the same file read another way
-- is a new submission, not "unchanged". Null for submissions made before it was recorded.
alter table submission add column read_as varchar;
