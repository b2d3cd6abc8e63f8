-- one row: how many Scottish postcodes ref_postcode holds and how many carry a data zone; params: none
select
    count(*) as scottish_postcodes,
    count(data_zone_code) as with_data_zone
from ref_postcode
where nation = 'Scotland'
