// Refresh existing relationships this source asserts: its properties and its place in sources.
// rows: {rel_eid, props, drop_keys, hash}
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rel_eid
SET r += row.props
FOREACH (key IN row.drop_keys | SET r[key] = null)
SET r.sources = CASE WHEN $source_id IN r.sources THEN r.sources
                     ELSE r.sources + $source_id END,
    r.hash = row.hash, r.changed_at = $now
