// Children of the nodes $ids in the containment tree at $at: ends of $down relationships
// (parent to child) and starts of $up relationships (child to parent) that existed then.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Twin {twin_id: id})-[r]->(c:Twin) WHERE type(r) IN $down AND r.version_from <= $at
  RETURN c.twin_id AS twin_id
  UNION
  MATCH (:Twin {twin_id: id})<-[r]-(c:Twin) WHERE type(r) IN $up AND r.version_from <= $at
  RETURN c.twin_id AS twin_id
  UNION
  MATCH (e:EdgeVersion {start: id})
  WHERE e.type IN $down AND e.version_from <= $at AND $at < e.version_to
  RETURN e.end AS twin_id
  UNION
  MATCH (e:EdgeVersion {end: id})
  WHERE e.type IN $up AND e.version_from <= $at AND $at < e.version_to
  RETURN e.start AS twin_id
}
RETURN DISTINCT twin_id
