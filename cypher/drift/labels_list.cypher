// Every drift label, withdrawn ones included, oldest first (a later label in force on the same
// finding overrides an earlier one; a withdrawn one counts for nothing but history).
MATCH (l:DriftLabel)
RETURN l {.label_id, .issue_id, .twin_id, .type, .rule, .finding_key, .relationship,
          .declared_class, .verdict, .note, .by, at: toString(l.at),
          withdrawn_at: toString(l.withdrawn_at), .withdrawn_by, .withdrawn_note} AS label
ORDER BY l.at, l.label_id
