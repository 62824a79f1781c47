// Twin relationships at $at that start at one of $ids (or, with $both, end at one too): live
// ones whose version began at or before $at (`props`, a map) and closed EdgeVersions valid at
// $at (`props_json`). A relationship with both ends in $ids appears once per end with $both.
UNWIND $ids AS id
CALL (id) {
  MATCH (a:Twin {twin_id: id})-[r]->(b:Twin) WHERE r.version_from <= $at
  RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props,
         null AS props_json
  UNION ALL
  MATCH (a:Twin)-[r]->(b:Twin {twin_id: id}) WHERE $both AND r.version_from <= $at
  RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props,
         null AS props_json
  UNION ALL
  MATCH (e:EdgeVersion {start: id}) WHERE e.version_from <= $at AND $at < e.version_to
  RETURN e.start AS start, e.type AS type, e.end AS end, null AS props, e.props AS props_json
  UNION ALL
  MATCH (e:EdgeVersion {end: id}) WHERE $both AND e.version_from <= $at AND $at < e.version_to
  RETURN e.start AS start, e.type AS type, e.end AS end, null AS props, e.props AS props_json
}
RETURN start, type, end, props, props_json
