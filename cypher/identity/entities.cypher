// Twin nodes of the kinds identity linking compares, with the sources that define them
// (assert at least one property; a source that only refers to a node does not count).
MATCH (n:Twin)
WHERE n.kind IN $kinds
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
WHERE size(a.keys) > 0
RETURN n.twin_id AS twin_id, n.kind AS kind, n.name AS name, properties(n) AS props,
       collect(s.source_id) AS sources
