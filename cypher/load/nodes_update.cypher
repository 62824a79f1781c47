// Update existing twin nodes and (create or refresh) this source's assertion of them.
// rows: {node_eid, props, drop_keys, hash, keys, changed_at}. The loader closed each node's
// previous version (versions/nodes_close) first: a new version begins now.
MATCH (s:Source {source_id: $source_id})
UNWIND $rows AS row
MATCH (n) WHERE elementId(n) = row.node_eid
SET n += row.props
SET n.version_from = $now, n.version_source = $source_id, n.version_run = $run
FOREACH (key IN row.drop_keys | SET n[key] = null)
MERGE (n)-[a:ASSERTED_IN]->(s)
ON CREATE SET a.first_asserted_at = $now
SET a.hash = row.hash, a.keys = row.keys, a.changed_at = row.changed_at
