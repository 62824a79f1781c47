// Entities retired by $at, for ids nothing had at $at: each one's newest version closed by a
// retirement at or before $at, in the API's as-of node view (asof_nodes_by_id.cypher's shape)
// as a retired entity is shown (retirement_nodes_by_id.cypher): `retired` says when and by
// which source, its labels are those it kept (no Twin, no kind label, Retired).
UNWIND $ids AS id
MATCH (v:NodeVersion {twin_id: id})
WHERE v.retired AND v.version_to <= $at
WITH id, v ORDER BY v.version_to DESC
WITH id, collect(v)[0] AS v
RETURN id, v {.twin_id, .kind, .name, .brick_class,
              labels: [l IN v.labels WHERE l <> 'Twin' AND l <> v.kind] + ['Retired'],
              retired: {at: toString(v.version_to), by: v.closed_by_source},
              from_version: true} AS n
