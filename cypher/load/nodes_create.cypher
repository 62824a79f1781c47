// Create new twin nodes and their assertion by this source.
// rows: {kind, props (all node properties incl. twin_id, kind, name), hash, keys}
// Their first version begins now, made by this source in import run $run.
MATCH (s:Source {source_id: $source_id})
UNWIND $rows AS row
CREATE (n:Twin:$(row.kind))
SET n = row.props
SET n.version_from = $now, n.version_source = $source_id, n.version_run = $run
CREATE (n)-[:ASSERTED_IN {hash: row.hash, keys: row.keys, changed_at: [k IN row.keys | $now],
                          first_asserted_at: $now}]->(s)
