// SAME_AS edges some other source asserts (a person, a twin file): known to be one.
MATCH (a:Twin)-[r:SAME_AS]->(b:Twin)
WHERE any(s IN coalesce(r.sources, []) WHERE s <> $source_id)
RETURN a.twin_id AS a, b.twin_id AS b
