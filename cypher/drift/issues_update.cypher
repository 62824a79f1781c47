// A drift issue whose condition changed: escalated or eased (severity, description, value), or
// cleared (status resolved with the time it cleared).
UNWIND $rows AS row
MATCH (i:DriftIssue {issue_id: row.issue_id})
SET i.severity = coalesce(row.severity, i.severity),
    i.description = coalesce(row.description, i.description),
    i.value = coalesce(row.value, i.value),
    i.status = coalesce(row.status, i.status),
    i.resolved_at = CASE WHEN row.resolved_at_ms IS NULL THEN i.resolved_at
                         ELSE datetime({epochMillis: row.resolved_at_ms}) END
RETURN count(i) AS updated
