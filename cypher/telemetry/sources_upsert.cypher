// The data sources of a running sync, with their health: last success and failure, measured
// reliability and counts. Times are epoch ms (null when it never happened).
UNWIND $rows AS row
MERGE (s:DataSource {source_id: row.source_id})
SET s.type = row.type, s.endpoint = row.endpoint, s.frequency_s = row.frequency_s,
    s.connected = row.connected, s.reliability = row.reliability,
    s.last_success = CASE WHEN row.last_success_ms IS NULL THEN null
                          ELSE datetime({epochMillis: row.last_success_ms}) END,
    s.last_failure = CASE WHEN row.last_failure_ms IS NULL THEN null
                          ELSE datetime({epochMillis: row.last_failure_ms}) END,
    s.last_failure_reason = row.last_failure_reason,
    s.latency_ms_p50 = row.latency_ms_p50,
    s.received = row.received, s.accepted = row.accepted, s.rejected = row.rejected,
    s.bindings = row.bindings, s.updated_at = datetime()
RETURN count(s) AS sources
