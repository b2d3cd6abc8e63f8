-- a new version of a quarter's note ('' clears it); params: $network_id, $initiative_id, $quarter, $text, $written_by
insert into quarter_note (network_id, initiative_id, quarter, text, written_by, written_at)
values ($network_id, $initiative_id, $quarter, $text, $written_by, current_timestamp)
