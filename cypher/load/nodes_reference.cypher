// Record that this source refers to nodes it does not define (endpoints of its relationships),
// so a later import of the source finds the relationships it asserted on them. A new
// reference changes the node's lineage: its previous version was closed, a new one begins.
MATCH (s:Source {source_id: $source_id})
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
SET n.version_from = $now, n.version_source = $source_id, n.version_run = $run
MERGE (n)-[a:ASSERTED_IN]->(s)
ON CREATE SET a.first_asserted_at = $now
SET a.keys = [], a.changed_at = [], a.hash = null
