-- the administrator accounts that can sign in; params: none
select email from app_user where role = 'admin' and not disabled order by email
