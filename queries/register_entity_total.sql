-- how many organisations the registers hold in all; params: none
select count(*) as entries from register_entity
