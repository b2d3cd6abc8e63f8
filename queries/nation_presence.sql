-- one row: whether the selection has any person's event or any payment in Wales or Scotland, from the figures'
-- summaries (whose area groups name the nation), so that nation_deciles.sql places them only when there are some;
-- params: $network_id, $initiative_id (null = all), $institution_id (null = all), $date_from, $date_to
select exists (
    select 1
    from area_month as a
    where a.network_id = $network_id
        and a.area_group in ('Wales', 'Scotland')
        and ($initiative_id is null or a.initiative_id = $initiative_id)
        and ($institution_id is null or a.institution_id = $institution_id)
        and a.month between $date_from and $date_to
) as present
