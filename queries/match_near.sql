-- register names near a supplier's name, to propose: among the names starting with the same word (words so
-- common they start more than $max_block names are not searched), the closest by Jaro-Winkler similarity,
-- at most 10 a supplier; the registered frame match_keys holds (supplier_key);
-- params: $max_block, $min_similarity
with wanted as (
    select supplier_key, split_part(supplier_key, ' ', 1) as block
    from match_keys
),

sizes as (
    select block, count(*) as names
    from register_name
    where block in (select block from wanted)
    group by block
),

pairs as (
    select w.supplier_key, n.register, n.entity_id, n.name_key,
        jaro_winkler_similarity(w.supplier_key, n.name_key) as similarity
    from wanted as w
    inner join sizes as z using (block)
    inner join register_name as n using (block)
    where z.names <= $max_block
)

select p.supplier_key, p.register, p.entity_id, p.name_key, p.similarity, e.active
from pairs as p
inner join register_entity as e using (register, entity_id)
where p.similarity >= $min_similarity
qualify row_number() over (partition by p.supplier_key order by p.similarity desc, p.register, p.entity_id) <= 10
order by all
