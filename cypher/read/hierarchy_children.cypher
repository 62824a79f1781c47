// Children of the nodes $ids in the containment tree: ends of $down relationships (parent to
// child, e.g. CONTAINS) and starts of $up relationships (child to parent, e.g. LOCATED_IN).
UNWIND $ids AS id
MATCH (p:Twin {twin_id: id})
CALL (p) {
  MATCH (p)-[r]->(c:Twin) WHERE type(r) IN $down
  RETURN c
  UNION
  MATCH (p)<-[r]-(c:Twin) WHERE type(r) IN $up
  RETURN c
}
RETURN DISTINCT c.twin_id AS twin_id
