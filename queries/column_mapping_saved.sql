-- one row per source header of the latest saved column mapping for an institution's files of a kind;
-- params: $network_id, $institution_id, $kind
with latest as (
    select max(submission_id) as submission_id
    from column_mapping
    where network_id = $network_id and institution_id = $institution_id and kind = $kind
)

select cm.source_header, cm.field
from column_mapping as cm
inner join latest using (submission_id)
where cm.network_id = $network_id and cm.institution_id = $institution_id and cm.kind = $kind
order by cm.field
