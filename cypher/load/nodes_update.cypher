// Update existing twin nodes and (create or refresh) this source's assertion of them.
// rows: {node_eid, props, drop_keys, hash, keys, changed_at}
MATCH (s:Source {source_id: $source_id})
UNWIND $rows AS row
MATCH (n) WHERE elementId(n) = row.node_eid
SET n += row.props
FOREACH (key IN row.drop_keys | SET n[key] = null)
MERGE (n)-[a:ASSERTED_IN]->(s)
ON CREATE SET a.first_asserted_at = $now
SET a.hash = row.hash, a.keys = row.keys, a.changed_at = row.changed_at
