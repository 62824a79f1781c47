// For each node of $ids, the twin nodes one step away at $at: along $outgoing types (id ->
// other) and against $incoming types (other -> id), through live relationships whose version
// began at or before $at and closed EdgeVersions valid at $at; each neighbour as it stood then
// (asof_nodes_by_id.cypher's shape: the live node when its version began by $at, else its
// NodeVersion valid then), optionally only of $kinds, in (name, twin_id) order, at most $limit
// per node. A live neighbour is read once, through the relationship: the hot path.
UNWIND $ids AS id
OPTIONAL MATCH (p:Twin {twin_id: id})
CALL (id, p) {
  MATCH (p)-[r]->(c:Twin) WHERE type(r) IN $outgoing AND r.version_from <= $at
  RETURN c.twin_id AS other, c
  UNION
  MATCH (p)<-[r]-(c:Twin) WHERE type(r) IN $incoming AND r.version_from <= $at
  RETURN c.twin_id AS other, c
  UNION
  MATCH (e:EdgeVersion {start: id}) WHERE e.type IN $outgoing
    AND e.version_from <= $at AND $at < e.version_to
  OPTIONAL MATCH (c:Twin {twin_id: e.end})
  RETURN e.end AS other, c
  UNION
  MATCH (e:EdgeVersion {end: id}) WHERE e.type IN $incoming
    AND e.version_from <= $at AND $at < e.version_to
  OPTIONAL MATCH (c:Twin {twin_id: e.start})
  RETURN e.start AS other, c
}
WITH id, other, c, c.version_from <= $at AS live
CALL (other, c, live) {
  WITH c WHERE live
  RETURN c {.twin_id, .kind, .name, .brick_class, labels: labels(c), unit: c.unit} AS n
  UNION ALL  // a version only where no live node began by $at
  WITH other WHERE live IS NULL OR NOT live
  MATCH (v:NodeVersion {twin_id: other}) WHERE v.version_from <= $at AND $at < v.version_to
  RETURN v {.twin_id, .kind, .name, .brick_class, .labels,
            version_props: CASE WHEN 'Point' IN v.labels THEN v.props END,
            from_version: true} AS n
}
WITH id, n
WHERE $kinds IS NULL OR n.kind IN $kinds
WITH id, n ORDER BY n.name, n.twin_id
RETURN id, collect(n)[..$limit] AS nodes
