// The supply network of the subtree of each of $roots, in one statement, with the root it
// belongs to (graphtwin.simulation.topology: single points of failure): every FEEDS /
// HAS_PART / SERVES relationship whose target is a live node under the root, whatever its
// source, so suppliers outside the subtree (a site's central plant) count as the feeds they
// are. Under the root: itself and its CONTAINS / HAS_PART descendants at any depth, what is
// LOCATED_IN any of them (VAV boxes, fan coils) and the parts of those, and what supplies any
// of those upstream along FEEDS / SERVES (at most 10 hops: a VAV box that serves a room but is
// located nowhere, the AHU feeding it) with its parts, as a what-if run's scope has them
// (scope_nodes.cypher). Each relationship once per root.
UNWIND $roots AS root_id
MATCH (root:Twin {twin_id: root_id})
WHERE NOT root:Retired
MATCH (root)-[:CONTAINS|HAS_PART]->*(a:Twin)
WHERE NOT a:Retired
WITH DISTINCT root_id, a
CALL (a) {
  RETURN a AS m
  UNION
  MATCH (a)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART]->*(m:Twin)
  WHERE NOT m:Retired
  RETURN m
}
WITH DISTINCT root_id, m
CALL (m) {
  RETURN m AS t
  UNION
  MATCH (m)<-[:FEEDS|SERVES]-{1,10}(:Twin)-[:HAS_PART]->*(t:Twin)
  WHERE NOT t:Retired
  RETURN t
}
WITH DISTINCT root_id, t AS m
MATCH (s:Twin)-[r:FEEDS|HAS_PART|SERVES]->(m)
WHERE NOT s:Retired
RETURN DISTINCT root_id AS root, s.twin_id AS source, type(r) AS type, m.twin_id AS target
ORDER BY root, source, type, target
