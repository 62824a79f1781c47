// Every version of the relationships $rows ({start, type, end}): the live one (version_to null)
// and its closed versions, properties as a map (live) or JSON text (closed).
UNWIND $rows AS row
CALL (row) {
  MATCH (a:Twin {twin_id: row.start})-[r]->(b:Twin {twin_id: row.end}) WHERE type(r) = row.type
  RETURN properties(r) AS props, null AS props_json, r.version_from AS version_from,
         null AS version_to, r.version_source AS version_source, r.version_run AS version_run,
         null AS closed_by_source, null AS closed_by_run
  UNION ALL
  MATCH (e:EdgeVersion {start: row.start}) WHERE e.end = row.end AND e.type = row.type
  RETURN null AS props, e.props AS props_json, e.version_from AS version_from,
         e.version_to AS version_to, e.version_source AS version_source,
         e.version_run AS version_run, e.closed_by_source AS closed_by_source,
         e.closed_by_run AS closed_by_run
}
RETURN row.start AS start, row.type AS type, row.end AS end, props, props_json, version_from,
       version_to, version_source, version_run, closed_by_source, closed_by_run
