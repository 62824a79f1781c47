// Ingest benchmark baseline: the raw batched SET of current values the pipeline's write is
// measured against (same keys, same lookup, no older-value guard, no drift, no history).
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
SET p.value = row.value, p.value_at = datetime({epochMillis: row.at_ms}),
    p.value_quality = row.quality, p.value_source = row.source, p.health = 'ok'
RETURN count(p) AS written
