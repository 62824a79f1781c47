// The supply network of the subtree of $root, for topology impact and single points of
// failure (graphtwin.simulation.topology): every FEEDS / HAS_PART / SERVES relationship whose
// target is a live node under $root, whatever its source, so suppliers outside the subtree
// (a site's central plant) count as the feeds they are. Under $root: the root and its CONTAINS
// / HAS_PART descendants at any depth, what is LOCATED_IN any of them (VAV boxes, fan coils)
// and the parts of those. Each relationship once.
MATCH (root:Twin {twin_id: $root})
WHERE NOT root:Retired
MATCH (root)-[:CONTAINS|HAS_PART*0..]->(a:Twin)
WHERE NOT a:Retired
WITH DISTINCT a
CALL (a) {
  RETURN a AS m
  UNION
  MATCH (a)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART*0..]->(m:Twin)
  WHERE NOT m:Retired
  RETURN m
}
WITH DISTINCT m
MATCH (s:Twin)-[r:FEEDS|HAS_PART|SERVES]->(m)
WHERE NOT s:Retired
RETURN DISTINCT s.twin_id AS source, type(r) AS type, m.twin_id AS target
ORDER BY source, type, target
