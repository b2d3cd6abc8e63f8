-- Networks set up on the Network settings page: an institution that has left keeps its row (and its data) with the
-- date it left, and a network's year may start in April (financial years) instead of January.
alter table institution add column left_on date;
alter table network add column year_start varchar default 'calendar';
