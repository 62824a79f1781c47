// A person acknowledges a drift issue: someone is on it. An `open` issue becomes
// `investigating`; who, when and why are kept on the issue (the last acknowledgement wins; every
// one is in the audit log). Only an issue still open or under investigation is acknowledged: a
// resolved or auto-corrected one returns no row (graphtwin.drift.triage says why).
MATCH (i:DriftIssue {issue_id: $issue_id})
WHERE i.status IN ['open', 'investigating']
SET i.status = 'investigating',
    i.acknowledged_by = $by, i.acknowledged_at = datetime($at), i.acknowledged_note = $note
RETURN i.issue_id AS issue_id, i.status AS status, toString(i.acknowledged_at) AS at
