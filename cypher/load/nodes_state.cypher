// The state of nodes about to change, read before the import writes anything: labels,
// properties, version bookkeeping and every source's assertion of them (asserted keys, when
// each last changed, the source's file and hash). The loader decides the update from it and
// closes the nodes' versions with it.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
WITH node_eid, n, a, s ORDER BY s.source_id
RETURN node_eid, labels(n) AS labels, properties(n) AS props,
       collect(CASE WHEN s IS NOT NULL THEN {
         source_id: s.source_id, format: s.format, file_name: s.file_name, sha256: s.sha256,
         imported_at: s.imported_at, keys: a.keys, changed_at: a.changed_at,
         first_asserted_at: a.first_asserted_at} END) AS assertions
