// For each node of $ids, the other members of its SAME_AS cluster (identity across sources).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})-[:SAME_AS*1..16]-(m:Twin)
WHERE m <> n
RETURN DISTINCT id, m.twin_id AS other
ORDER BY id, other
