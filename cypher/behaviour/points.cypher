// Every live point among $ids (all live points when $ids is null) as behaviour detection relates
// them: its Brick class, unit and name (its kind), its parent (HAS_POINT) and its group, the
// farthest equipment upstream of the parent through HAS_PART and FEEDS (a zone's AHU).
MATCH (p:Twin:Point)
WHERE NOT p:Retired AND ($ids IS NULL OR p.twin_id IN $ids)
OPTIONAL MATCH (parent:Twin)-[:HAS_POINT]->(p)
WHERE NOT parent:Retired
OPTIONAL MATCH path = (up:Twin:Equipment)-[:HAS_PART|FEEDS*1..4]->(parent)
WHERE NOT up:Retired
WITH p, parent, up, length(path) AS hops
ORDER BY hops DESC, up.twin_id
WITH p, parent, collect(up.twin_id)[0] AS farthest
RETURN p.twin_id AS twin_id, p.brick_class AS brick_class, p.unit AS unit, p.name AS name,
       parent.twin_id AS parent, parent.kind AS parent_kind,
       coalesce(farthest, parent.twin_id) AS group
ORDER BY twin_id
