// Refresh existing relationships this source asserts: their properties (dropping the ones no
// longer asserted, keeping lineage) and this source's place in `sources`.
// rows: {rel_eid, props, hash}; $lineage_keys: the properties the store maintains itself
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rel_eid
FOREACH (key IN [k IN keys(r) WHERE NOT k IN $lineage_keys AND NOT k IN keys(row.props)] |
  SET r[key] = null)
SET r += row.props
SET r.sources = CASE WHEN $source_id IN coalesce(r.sources, []) THEN r.sources
                     ELSE coalesce(r.sources, []) + $source_id END,
    r.hash = row.hash, r.changed_at = $now
