// This source no longer defines these nodes, which other sources still define: drop the keys
// nobody else asserts, and delete the assertion or keep it as a bare reference.
// rows: {node_eid, assertion_eid, drop_keys, keep_reference}. The previous version of each
// node was closed first: a new one begins now.
UNWIND $rows AS row
MATCH (n) WHERE elementId(n) = row.node_eid
FOREACH (key IN row.drop_keys | SET n[key] = null)
SET n.version_from = $now, n.version_source = $source_id, n.version_run = $run
WITH row
MATCH ()-[a:ASSERTED_IN]->() WHERE elementId(a) = row.assertion_eid
FOREACH (_ IN CASE WHEN row.keep_reference THEN [1] ELSE [] END |
  SET a.keys = [], a.changed_at = [], a.hash = null)
FOREACH (_ IN CASE WHEN row.keep_reference THEN [] ELSE [1] END | DELETE a)
