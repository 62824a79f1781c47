// The relationships between the nodes $ids of a what-if run's scope (scope_nodes.cypher): the
// supply network (FEEDS, SERVES, HAS_PART), the points (HAS_POINT) and the hierarchy
// (CONTAINS, LOCATED_IN). Each relationship once.
UNWIND $ids AS id
MATCH (a:Twin {twin_id: id})-[r:FEEDS|SERVES|HAS_PART|HAS_POINT|CONTAINS|LOCATED_IN]->(b:Twin)
WHERE NOT b:Retired AND b.twin_id IN $ids
RETURN a.twin_id AS source, type(r) AS type, b.twin_id AS target
ORDER BY source, type, target
