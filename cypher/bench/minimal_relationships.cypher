// Benchmark minimal baseline: twin relationships with their own properties, without lineage.
// rows: {start, type, end, props}
UNWIND $rows AS row
MATCH (a:Twin {twin_id: row.start})
MATCH (b:Twin {twin_id: row.end})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
