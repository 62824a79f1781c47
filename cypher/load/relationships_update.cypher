// Refresh existing relationships this source asserts: their properties (dropping the ones no
// longer asserted, keeping lineage) and this source's place in `sources`.
// rows: {rel_eid, props, hash}; $lineage_keys: the properties the store maintains itself.
// The previous version of each was closed first (versions/edges_close): a new one begins now.
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rel_eid
FOREACH (key IN [k IN keys(r) WHERE NOT k IN $lineage_keys AND NOT k IN keys(row.props)] |
  SET r[key] = null)
SET r += row.props
SET r.sources = CASE WHEN $source_id IN coalesce(r.sources, []) THEN r.sources
                     ELSE coalesce(r.sources, []) + $source_id END,
    r.hash = row.hash, r.changed_at = $now,
    r.version_from = $now, r.version_source = $source_id, r.version_run = $run
