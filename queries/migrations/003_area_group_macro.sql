-- The area group of a located row: its IMD decile (as text) in England, else its nation,
-- else 'unknown'. One definition for every figure query.
create macro imd_area_group(nation, imd_decile) as
    case
        when nation = 'England' then coalesce(cast(imd_decile as varchar), 'unknown')
        when nation is null then 'unknown'
        else nation
    end;
