// Every drift label, oldest first (a later label on the same finding overrides an earlier one).
MATCH (l:DriftLabel)
RETURN l {.label_id, .issue_id, .twin_id, .type, .rule, .finding_key, .relationship,
          .declared_class, .verdict, .note, .by, at: toString(l.at)} AS label
ORDER BY l.at, l.label_id
