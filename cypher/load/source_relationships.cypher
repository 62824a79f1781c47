// Every twin relationship this source asserted before. Both ends of such a relationship are
// asserted by the source (defined or referred to), so following outgoing relationships of the
// source's nodes finds each exactly once.
MATCH (:Source {source_id: $source_id})<-[:ASSERTED_IN]-(a:Twin)-[r]->(b:Twin)
WHERE $source_id IN r.sources
RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, elementId(r) AS rel_eid,
       r.hash AS hash
