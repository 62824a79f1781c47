// Benchmark baseline: twin relationships with their lineage properties, written blind.
// rows: {start, type, end, props, hash}
UNWIND $rows AS row
MATCH (a:Twin {twin_id: row.start})
MATCH (b:Twin {twin_id: row.end})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props, r.sources = [$source_id], r.hash = row.hash, r.first_asserted_at = $now,
    r.changed_at = $now, r.version_from = $now, r.version_source = $source_id, r.version_run = $run
