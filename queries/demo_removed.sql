-- how many times `demo remove` has run on this installation; params: none
select count(*) as removals from audit_log where action = 'demo.remove'
