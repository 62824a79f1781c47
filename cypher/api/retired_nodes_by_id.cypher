// Retired entities by twin_id, for the ids no live twin node has: each one's newest retirement
// record (an entity can be retired more than once), in the API's node view as
// nodes_by_id.cypher shapes it; `retired` says when and by which source.
UNWIND $ids AS id
MATCH (n:Retired {twin_id: id})
WHERE NOT EXISTS { MATCH (:Twin {twin_id: id}) }
WITH id, n ORDER BY n.retired_at DESC
WITH id, collect(n)[0] AS n
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
