// Every twin relationship at $at (the whole twin then, for export): live ones whose version
// began at or before $at and closed EdgeVersions valid at $at, shaped as relationships.cypher.
CALL () {
  MATCH (a:Twin)-[r]->(b:Twin) WHERE r.version_from <= $at
  RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props,
         null AS props_json
  UNION ALL
  MATCH (e:EdgeVersion) WHERE e.version_from <= $at AND $at < e.version_to
  RETURN e.start AS start, e.type AS type, e.end AS end, null AS props, e.props AS props_json
}
RETURN start, type, end, props, props_json
