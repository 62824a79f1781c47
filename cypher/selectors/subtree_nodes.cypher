// A subtree: the root, everything below it along CONTAINS / HAS_PART / HAS_POINT, what is
// LOCATED_IN any of those, and the parts and points of that; with the attributes selectors
// filter on.
MATCH (root:Twin {twin_id: $root})
CALL (root) {
  MATCH (root)-[:CONTAINS|HAS_PART|HAS_POINT*0..]->(n:Twin)
  RETURN n
  UNION
  MATCH (root)-[:CONTAINS|HAS_PART*0..]->(:Twin)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART|HAS_POINT*0..]->(n:Twin)
  RETURN n
}
RETURN DISTINCT elementId(n) AS eid, n.kind AS kind, n.brick_class AS brick_class,
       n.ifc_class AS ifc_class, n.isa95_level AS isa95_level
