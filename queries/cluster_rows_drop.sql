-- the rows dashboard/cluster.py held for one network, let go; params: none
drop table if exists cluster_rows
