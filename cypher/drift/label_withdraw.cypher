// Withdraw a drift label: it is kept for auditors, marked who withdrew it, when and why, and
// its issue no longer carries it (the issue keeps its status: the next detection run reopens
// the finding if it is still found). The write lock is taken before the label is read, so of
// two withdrawals at once only one returns a row.
MATCH (l:DriftLabel {label_id: $label_id})
SET l._withdrawing = true
WITH l
REMOVE l._withdrawing
WITH l
WHERE l.withdrawn_at IS NULL
SET l.withdrawn_at = datetime($at), l.withdrawn_by = $by, l.withdrawn_note = $note
WITH l
OPTIONAL MATCH (i:DriftIssue {issue_id: l.issue_id})
FOREACH (_ IN CASE WHEN i.label_id = l.label_id THEN [1] ELSE [] END | SET i.label_id = null)
RETURN l {.label_id, .issue_id, .twin_id, .type, .rule, .finding_key, .relationship,
          .declared_class, .verdict, .note, .by, at: toString(l.at),
          withdrawn_at: toString(l.withdrawn_at), .withdrawn_by, .withdrawn_note} AS label
