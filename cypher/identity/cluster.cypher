// One entity and everything SAME_AS links it to, directly or through others: the cluster
// queries treat as one thing (a view; nothing is merged).
MATCH (n:Twin {twin_id: $twin_id})
MATCH (n)-[:SAME_AS*0..]-(m:Twin)
WITH DISTINCT m
OPTIONAL MATCH (m)-[a:ASSERTED_IN]->(s:Source)
WHERE size(a.keys) > 0
RETURN m.twin_id AS twin_id, m.kind AS kind, m.name AS name, properties(m) AS props,
       collect(s.source_id) AS sources
ORDER BY twin_id
