// One batch of the ingest pipeline: the latest value of each point, with its source time (epoch
// ms) and, in `row.props`, the properties it sets (value, value_quality, value_source and the
// health the pipeline derived from the quality). A value older than the one the point holds is
// skipped, so two writers (sync and the API) can never move a point back in time. One lookup by
// the unique twin_id, one stored-value comparison and one map SET per row: what the raw batched
// SET costs (docs/benchmarks.md, telemetry ingest).
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
WITH p, row, datetime({epochMillis: row.at_ms}) AS at
WHERE p.value_at IS NULL OR p.value_at <= at
SET p += row.props, p.value_at = at
RETURN count(p) AS written
