// The drift issues of many nodes at once (Node.driftIssues), newest first.
UNWIND $ids AS id
MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin {twin_id: id})
WHERE $statuses IS NULL OR i.status IN $statuses
WITH id, n, i ORDER BY i.detected_at DESC, i.issue_id
RETURN id, collect(i {.issue_id, .type, .severity, .description, .status, .strategy, .rule,
                      .value, .evidence, twin_id: id,
                      .acknowledged_by, .acknowledged_note,
                      acknowledged_at: toString(i.acknowledged_at), .accepted_by, .accepted_note,
                      accepted_at: toString(i.accepted_at),
                      assignee: head([(i)-[a:ASSIGNED_TO]->(p:Person) |
                                      p {.twin_id, .name, by: a.by, at: toString(a.at), note: a.note}]),
                      detected_at: toString(i.detected_at),
                      resolved_at: toString(i.resolved_at),
                      predicted_by: [(i)-[:PREDICTED_BY]->(p:DriftIssue) | p.issue_id],
                      label: head([(l:DriftLabel)-[:LABELS]->(n) WHERE l.issue_id = i.issue_id
                                        AND l.withdrawn_at IS NULL |
                                   l {.label_id, .verdict, .note, .by, at: toString(l.at)}])})[..$limit]
       AS issues
