// Data sources known to the twin, for snapshots and the API.
MATCH (s:DataSource)
RETURN s {.*, last_success: toString(s.last_success), last_failure: toString(s.last_failure),
          updated_at: toString(s.updated_at)} AS source
ORDER BY s.source_id
