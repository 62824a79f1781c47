// Every twin node as it stood at $at (the whole twin then, for export): live nodes whose
// version began at or before $at, and the closed NodeVersions valid at $at. Shaped as
// nodes.cypher shapes them.
CALL () {
  MATCH (n:Twin) WHERE n.version_from <= $at
  OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
  WITH n, collect({source_id: s.source_id, keys: a.keys, changed_at: a.changed_at,
                   first_asserted_at: a.first_asserted_at}) AS assertions
  RETURN n.twin_id AS twin_id, n.kind AS kind, labels(n) AS labels, properties(n) AS props,
         assertions, null AS props_json, null AS assertions_json
  UNION ALL
  MATCH (v:NodeVersion) WHERE v.version_from <= $at AND $at < v.version_to
  RETURN v.twin_id AS twin_id, v.kind AS kind, v.labels AS labels, null AS props,
         null AS assertions, v.props AS props_json, v.assertions AS assertions_json
}
RETURN twin_id, kind, labels, props, assertions, props_json, assertions_json
