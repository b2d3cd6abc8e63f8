-- the newest note of each quarter from $from_quarter to $to_quarter, for the network ('') and, when given, one
-- initiative; empty notes (cleared) left out; params: $network_id, $initiative_id, $from_quarter, $to_quarter
select initiative_id, quarter, text, written_by, written_at
from quarter_note
where network_id = $network_id
  and (initiative_id = '' or initiative_id = coalesce($initiative_id, ''))
  and quarter between $from_quarter and $to_quarter
qualify row_number() over (partition by initiative_id, quarter order by written_at desc) = 1
    and text <> ''
order by quarter, initiative_id
