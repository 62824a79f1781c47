// Twin nodes by twin_id as they stood at $at (the as-of rule of docs/history.md: a live node
// whose version began at or before $at, else its closed NodeVersion valid at $at). One row per
// id that existed then: the API's node view (no live value: the caller adds a point's value at
// $at from the history, with its unit then: `unit`, the live node's, or in `version_props`, a
// version's JSON; and the time, `as_of`, so the fields below it answer for the same time).
UNWIND $ids AS id
CALL (id) {
  MATCH (n:Twin {twin_id: id}) WHERE n.version_from <= $at
  RETURN n {.twin_id, .kind, .name, .brick_class, labels: labels(n), unit: n.unit} AS n
  UNION ALL
  MATCH (v:NodeVersion {twin_id: id}) WHERE v.version_from <= $at AND $at < v.version_to
  RETURN v {.twin_id, .kind, .name, .brick_class, .labels,
            version_props: CASE WHEN 'Point' IN v.labels THEN v.props END,
            from_version: true} AS n
}
RETURN id, n
