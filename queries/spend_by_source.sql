-- the selection's spend by where its place came from: the partner's file, the coordinator's supplier list, a
-- register match ('companies_house', 'charity_commission', 'oscr'), redacted payees, or unknown; as
-- figures_by_area, from the summaries by place (place_month); params: $network_id, $initiative_id (null = all),
-- $institution_id (null = all), $date_from, $date_to (inclusive, whole months)
select source, sum(spend_gbp) as spend_gbp
from place_selection($network_id, $initiative_id, $institution_id, $date_from, $date_to)
where spend_gbp is not null
group by source
