// A person's verdict on a drift issue, kept as a (:DriftLabel) linked to the entity (LABELS) so
// that it outlives the issue, and on the issue itself: who dismissed (false_alarm) or confirmed
// it and why. A dismissed issue that is still open is resolved now, with the reason. One label
// in force per issue: label_id is unique (migration 0011) and numbered after the issue's labels
// so far (graphtwin.drift.labels.label_id_for), so of two people labelling at once the second
// CREATE fails.
MATCH (i:DriftIssue {issue_id: $issue_id})-[:CONCERNS]->(n:Twin)
CREATE (l:DriftLabel {label_id: $label_id, issue_id: i.issue_id, twin_id: n.twin_id,
                      type: i.type, rule: i.rule, finding_key: $finding_key,
                      relationship: $relationship, declared_class: $declared_class,
                      verdict: $verdict, note: $note, by: $by, at: datetime($at)})
CREATE (l)-[:LABELS]->(n)
WITH i, l
SET i.label_id = l.label_id,
    i.reason = l.note,
    i.dismissed_by = CASE WHEN l.verdict = 'false_alarm' THEN l.by ELSE i.dismissed_by END,
    i.dismissed_at = CASE WHEN l.verdict = 'false_alarm' THEN l.at ELSE i.dismissed_at END,
    i.confirmed_by = CASE WHEN l.verdict = 'confirmed' THEN l.by ELSE i.confirmed_by END,
    i.confirmed_at = CASE WHEN l.verdict = 'confirmed' THEN l.at ELSE i.confirmed_at END,
    i.resolved_at = CASE WHEN l.verdict = 'false_alarm' AND i.status <> 'resolved' THEN l.at
                         ELSE i.resolved_at END,
    i.status = CASE WHEN l.verdict = 'false_alarm' THEN 'resolved' ELSE i.status END
RETURN l.label_id AS label_id, toString(l.at) AS at, i.status AS status
