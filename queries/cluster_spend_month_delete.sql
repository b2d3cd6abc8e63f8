-- one network's spend_month rows removed, to be written back together (cluster_spend_month_write); params: $network_id
delete from spend_month
where network_id = $network_id
