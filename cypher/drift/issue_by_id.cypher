// One drift issue by its id, as a person labels it: what it concerns (the entity's declared
// class, which a semantic label vouches for) and the label it already has, if any.
MATCH (i:DriftIssue {issue_id: $issue_id})-[:CONCERNS]->(n:Twin)
RETURN i {.issue_id, .type, .severity, .description, .status, .strategy, .rule, .value,
          .evidence, twin_id: n.twin_id, detected_at: toString(i.detected_at),
          resolved_at: toString(i.resolved_at),
          predicted_by: [(i)-[:PREDICTED_BY]->(p:DriftIssue) | p.issue_id],
          label: head([(l:DriftLabel)-[:LABELS]->(n) WHERE l.issue_id = i.issue_id |
                       l {.label_id, .verdict, .note, .by, at: toString(l.at)}])} AS issue,
       n.brick_class AS declared_class
