// The building (or, failing one, the topmost container) that holds each of $ids: the nearest
// ancestor along CONTAINS / HAS_PART / HAS_POINT / LOCATED_IN that is a Building, else the
// farthest ancestor reached. A what-if run covers one building.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
OPTIONAL MATCH p = SHORTEST 1 (b:Building)-[:CONTAINS|HAS_PART|HAS_POINT]->{0,12}(n)
WHERE NOT b:Retired
OPTIONAL MATCH q = (top:Twin)-[:CONTAINS|HAS_PART|HAS_POINT]->{1,12}(n)
WHERE NOT top:Retired AND NOT EXISTS { (:Twin)-[:CONTAINS]->(top) }
WITH id, b, top, q
ORDER BY length(q) DESC
WITH id, b, collect(top.twin_id)[0] AS topmost
RETURN id AS twin_id, b.twin_id AS building, coalesce(b.twin_id, topmost, id) AS scope
