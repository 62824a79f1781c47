// A person accepts the reconciliation a drift issue proposes (graphtwin.drift.triage): the
// twin keeps reality's value, as the `auto_correct` strategy does by itself, so the issue is
// recorded `auto_corrected`, with who accepted it, when and why. No row when the issue is not
// open or under investigation any more.
MATCH (i:DriftIssue {issue_id: $issue_id})
WHERE i.status IN ['open', 'investigating']
SET i.status = $status,
    i.accepted_by = $by, i.accepted_at = datetime($at), i.accepted_note = $note
RETURN i.issue_id AS issue_id, i.status AS status, toString(i.accepted_at) AS at
