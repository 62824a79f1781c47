// One drift label by its id, withdrawn or not (as `graphtwin drift withdraw` checks it).
MATCH (l:DriftLabel {label_id: $label_id})
RETURN l {.label_id, .issue_id, .twin_id, .type, .rule, .finding_key, .relationship,
          .declared_class, .verdict, .note, .by, at: toString(l.at),
          withdrawn_at: toString(l.withdrawn_at), .withdrawn_by, .withdrawn_note} AS label
