// Live twin nodes by twin_id, as the API shows them. The map below is the API's node view;
// neighbours.cypher and retired_nodes_by_id.cypher repeat it (a test keeps them identical).
// Times are ISO 8601 text, so the driver never builds a datetime object per point.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN id, n {
  .twin_id, .kind, .name, .brick_class, labels: labels(n),
  retired: CASE WHEN n:Retired THEN {at: toString(n.retired_at), by: n.retired_by} END,
  current: CASE WHEN n:Point THEN {
    value: CASE WHEN n.value IS :: FLOAT OR n.value IS :: INTEGER THEN n.value END,
    text: toString(n.value), unit: n.unit, timestamp: toString(n.value_at),
    quality: n.value_quality, source: n.value_source,
    health: coalesce(n.health, CASE WHEN n.value IS NULL THEN 'unknown' ELSE 'ok' END)
  } END
} AS n
