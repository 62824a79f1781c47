// Drift issues of a snapshot's nodes ($ids; null: the whole twin): those not resolved, newest
// first, and when the newest issue of any status was detected (the last time drift was found).
// Always one row.
MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin)
WHERE $ids IS NULL OR n.twin_id IN $ids
WITH i, n
ORDER BY i.detected_at DESC, i.issue_id
RETURN toString(max(i.detected_at)) AS last_detected,
       collect(CASE WHEN i.status <> 'resolved'
                    THEN i {.issue_id, .type, .severity, .description, .status, .strategy,
                            .rule, twin_id: n.twin_id, detected_at: toString(i.detected_at)}
               END) AS unresolved
