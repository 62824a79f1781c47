// One batch of the ingest pipeline: the latest value of each point, with its source time (epoch
// ms), quality and data source. A value older than the one the point holds is skipped, so two
// writers (sync and the API) can never move a point back in time.
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
WITH p, row, datetime({epochMillis: row.at_ms}) AS at
WHERE p.value_at IS NULL OR at >= p.value_at
SET p.value = row.value, p.value_at = at, p.value_quality = row.quality,
    p.value_source = row.source,
    p.health = CASE row.quality WHEN 'bad' THEN 'fault' ELSE 'ok' END
RETURN count(p) AS written
