-- how many organisations one register holds; params: $register
select count(*) as entries from register_entity where register = $register
