-- one network's spend_month rows written back together, as cluster_spend_month_hold holds them (after cluster_spend_month_delete);
-- params: none
insert into spend_month
select * from cluster_rows
