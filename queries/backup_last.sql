-- one row: when the last backup recorded in the audit log was taken (null before the first); params: none
select max(logged_at) as taken_at
from audit_log
where action = 'backup'
