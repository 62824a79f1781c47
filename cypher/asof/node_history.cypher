// Every version of the twin_ids $ids: the live node (version_to null) and its closed versions,
// with the properties as a map (live) or JSON text (closed) and who made and closed each.
UNWIND $ids AS id
CALL (id) {
  MATCH (n:Twin {twin_id: id})
  RETURN n.kind AS kind, labels(n) AS labels, properties(n) AS props, null AS props_json,
         n.version_from AS version_from, null AS version_to, n.version_source AS version_source,
         n.version_run AS version_run, null AS closed_by_source, null AS closed_by_run
  UNION ALL
  MATCH (v:NodeVersion {twin_id: id})
  RETURN v.kind AS kind, v.labels AS labels, null AS props, v.props AS props_json,
         v.version_from AS version_from, v.version_to AS version_to,
         v.version_source AS version_source, v.version_run AS version_run,
         v.closed_by_source AS closed_by_source, v.closed_by_run AS closed_by_run
}
RETURN id AS twin_id, kind, labels, props, props_json, version_from, version_to, version_source,
       version_run, closed_by_source, closed_by_run
