// One drift issue by its id, as a person labels it: what it concerns (the entity's declared
// class, which a semantic label vouches for), the label in force it already has, if any, and how
// many labels it was given (withdrawn ones included: the next label's id counts on from them).
MATCH (i:DriftIssue {issue_id: $issue_id})-[:CONCERNS]->(n:Twin)
RETURN i {.issue_id, .type, .severity, .description, .status, .strategy, .rule, .value,
          .evidence, twin_id: n.twin_id,
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
                       l {.label_id, .verdict, .note, .by, at: toString(l.at)}])} AS issue,
       n.brick_class AS declared_class,
       size([(l:DriftLabel)-[:LABELS]->(n) WHERE l.issue_id = i.issue_id | l]) AS labels_given
