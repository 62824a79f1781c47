// Drop references this source no longer makes. The lineage of the node changes: its previous
// version was closed first, a new one begins now.
UNWIND $assertion_eids AS assertion_eid
MATCH (n)-[a:ASSERTED_IN]->() WHERE elementId(a) = assertion_eid
SET n.version_from = $now, n.version_source = $source_id, n.version_run = $run
DELETE a
