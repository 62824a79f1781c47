// Benchmark minimal baseline: twin nodes (labels and properties) without any lineage.
// rows: {kind, props (all node properties incl. twin_id, kind, name)}
UNWIND $rows AS row
CREATE (n:Twin:$(row.kind))
SET n = row.props
