// The relationships (start, type, end) whose state may differ between $from and $to: live ones
// whose version began in ($from, $to], closed versions that began or ended in it.
CALL () {
  MATCH (a:Twin)-[r]->(b:Twin) WHERE $from < r.version_from AND r.version_from <= $to
  RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end
  UNION
  MATCH (e:EdgeVersion) WHERE $from < e.version_from AND e.version_from <= $to
  RETURN e.start AS start, e.type AS type, e.end AS end
  UNION
  MATCH (e:EdgeVersion) WHERE $from < e.version_to AND e.version_to <= $to
  RETURN e.start AS start, e.type AS type, e.end AS end
}
RETURN start, type, end
