// For each node of $ids, the twin nodes one step away at $at: along $outgoing types (id ->
// other) and against $incoming types (other -> id), through live relationships whose version
// began at or before $at and closed EdgeVersions valid at $at; each neighbour as it stood then
// (asof_nodes_by_id.cypher's shape), optionally only of $kinds, in (name, twin_id) order, at
// most $limit per node.
UNWIND $ids AS id
CALL (id) {
  MATCH (:Twin {twin_id: id})-[r]->(c:Twin) WHERE type(r) IN $outgoing AND r.version_from <= $at
  RETURN c.twin_id AS other
  UNION
  MATCH (:Twin {twin_id: id})<-[r]-(c:Twin) WHERE type(r) IN $incoming AND r.version_from <= $at
  RETURN c.twin_id AS other
  UNION
  MATCH (e:EdgeVersion {start: id}) WHERE e.type IN $outgoing
    AND e.version_from <= $at AND $at < e.version_to
  RETURN e.end AS other
  UNION
  MATCH (e:EdgeVersion {end: id}) WHERE e.type IN $incoming
    AND e.version_from <= $at AND $at < e.version_to
  RETURN e.start AS other
}
CALL (other) {
  MATCH (n:Twin {twin_id: other}) WHERE n.version_from <= $at
  RETURN n {.twin_id, .kind, .name, .brick_class, labels: labels(n), retired: null,
            as_of: $as_of} AS n, n.unit AS unit, null AS props
  UNION ALL
  MATCH (v:NodeVersion {twin_id: other}) WHERE v.version_from <= $at AND $at < v.version_to
  RETURN v {.twin_id, .kind, .name, .brick_class, .labels, retired: null,
            as_of: $as_of} AS n, null AS unit, CASE WHEN 'Point' IN v.labels THEN v.props END AS props
}
WITH id, n, unit, props
WHERE $kinds IS NULL OR n.kind IN $kinds
WITH id, n, unit, props ORDER BY n.name, n.twin_id
WITH id, collect({n: n, unit: unit, props: props})[..$limit] AS found
RETURN id, found
