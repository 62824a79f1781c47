// Twin nodes by twin_id, as the API shows them (retired ones too, flagged). The map below is
// the API's node view; neighbours.cypher repeats it (a test keeps the two identical). Times are
// ISO 8601 text, so the driver never builds a datetime object per point.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN id, n {
  .twin_id, .kind, .name, .brick_class, labels: labels(n), retired: n:Retired,
  current: CASE WHEN n:Point THEN {
    value: CASE WHEN n.value IS :: FLOAT OR n.value IS :: INTEGER THEN n.value END,
    text: toString(n.value), unit: n.unit, timestamp: toString(n.value_at),
    quality: n.value_quality, source: n.value_source,
    health: coalesce(n.health, CASE WHEN n.value IS NULL THEN 'unknown' ELSE 'ok' END)
  } END
} AS n
