-- removes the demo networks with all their data, the demo's accounts (marked first by demo_remove_accounts.sql)
-- and the synthetic registers; a network that is not a demo is never touched (every delete is by demo network,
-- demo account or synthetic file); the audit log keeps its history; params: none
create or replace temp table demo_networks as select network_id from network where is_demo;
create or replace temp table synthetic_files as select register, sha256 from register_file where synthetic;
delete from participant where network_id in (select network_id from demo_networks);
delete from participant_tally where network_id in (select network_id from demo_networks);
delete from participant_trait_tally where network_id in (select network_id from demo_networks);
delete from network_retention where network_id in (select network_id from demo_networks);
delete from spend where network_id in (select network_id from demo_networks);
delete from spend_month where network_id in (select network_id from demo_networks);
delete from area_month where network_id in (select network_id from demo_networks);
delete from place_month where network_id in (select network_id from demo_networks);
delete from area_month_network where network_id in (select network_id from demo_networks);
delete from column_mapping where network_id in (select network_id from demo_networks);
delete from submission_slot where network_id in (select network_id from demo_networks);
delete from submission where network_id in (select network_id from demo_networks);
delete from supplier_register where network_id in (select network_id from demo_networks);
delete from register_match where network_id in (select network_id from demo_networks);
delete from network_lad where network_id in (select network_id from demo_networks);
delete from initiative where network_id in (select network_id from demo_networks);
delete from institution where network_id in (select network_id from demo_networks);
delete from network_access where network_id in (select network_id from demo_networks);
delete from network_sso_domain where network_id in (select network_id from demo_networks);
delete from user_grant
where network_id in (select network_id from demo_networks) or email in (select email from demo_accounts);
delete from app_user where email in (select email from demo_accounts);
delete from network where network_id in (select network_id from demo_networks);
delete from register_match
where (register, entity_id) in (
    select (e.register, e.entity_id)
    from register_entity as e
    inner join synthetic_files as f on f.register = e.register and f.sha256 = e.file_sha256
);
delete from register_name where (register, file_sha256) in (select (register, sha256) from synthetic_files);
delete from register_entity where (register, file_sha256) in (select (register, sha256) from synthetic_files);
delete from register_file where synthetic
