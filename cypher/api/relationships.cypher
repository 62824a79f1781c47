// Every twin relationship of each node of $ids (both directions, optionally only $types), with
// the twin_id at the other end and the sources that assert it.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})-[r]-(m:Twin)
WHERE $types IS NULL OR type(r) IN $types
RETURN id, startNode(r) = n AS outgoing, type(r) AS type, m.twin_id AS other,
       properties(r) AS props
ORDER BY id, type, other
