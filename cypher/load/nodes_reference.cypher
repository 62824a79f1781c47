// Record that this source refers to nodes it does not define (endpoints of its relationships),
// so a later import of the source finds the relationships it asserted on them.
MATCH (s:Source {source_id: $source_id})
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
MERGE (n)-[a:ASSERTED_IN]->(s)
ON CREATE SET a.first_asserted_at = $now
SET a.keys = [], a.changed_at = [], a.hash = null
