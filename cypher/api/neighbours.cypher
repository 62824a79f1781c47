// For each node of $ids, the live twin nodes one step away: along $outgoing types (id -> other)
// and against $incoming types (other -> id), optionally only of $kinds, in (name, twin_id)
// order, at most $limit per node. One row per node of $ids, its neighbours in the API's node
// view (as nodes_by_id.cypher shapes it): the hot path of hierarchy queries.
UNWIND $ids AS id
MATCH (p:Twin {twin_id: id})
CALL (p) {
  MATCH (p)-[r]->(c:Twin) WHERE type(r) IN $outgoing
  RETURN c
  UNION
  MATCH (p)<-[r]-(c:Twin) WHERE type(r) IN $incoming
  RETURN c
}
WITH id, c
WHERE NOT c:Retired AND ($kinds IS NULL OR c.kind IN $kinds)
WITH id, c ORDER BY c.name, c.twin_id
WITH id, collect(c)[..$limit] AS found
RETURN id, [n IN found | n {
  .twin_id, .kind, .name, .brick_class, labels: labels(n),
  retired: CASE WHEN n:Retired THEN {at: toString(n.retired_at), by: n.retired_by} END,
  current: CASE WHEN n:Point THEN {
    value: CASE WHEN n.value IS :: FLOAT OR n.value IS :: INTEGER THEN n.value END,
    text: toString(n.value), unit: n.unit, timestamp: toString(n.value_at),
    quality: n.value_quality, source: n.value_source,
    health: coalesce(n.health, CASE WHEN n.value IS NULL THEN 'unknown' ELSE 'ok' END)
  } END
}] AS nodes
