-- A payee name of only tabs or line breaks is as empty as one of spaces, as dashboard.matching.is_redacted says
-- (BLANKS): trim them all.
create or replace macro is_redacted(raw_name, raw_id) as
    (coalesce(trim(raw_name, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '') = ''
        and supplier_id_key(raw_id) is null)
    or regexp_matches(
        lower(coalesce(raw_name, '')),
        '(^|[^a-z])(redacted|withheld|private individual|personal (data|information|details|expenses?)'
        || '|data protection)([^a-z]|$)'
    );
