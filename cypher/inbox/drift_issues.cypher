// The drift issues that wait for a person (open or investigating) of every type, each with the
// entity it concerns and who it is assigned to: the whole twin ($ids null) or the entities of a
// scope ($ids: its subtree, reasoning/subtree). The inbox ranks them (graphtwin.inbox).
CALL () {
  MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin)
  WHERE $ids IS NULL AND i.status IN ['open', 'investigating']
  RETURN i, n
  UNION
  UNWIND coalesce($ids, []) AS id
  MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin {twin_id: id})
  WHERE i.status IN ['open', 'investigating']
  RETURN i, n
}
WITH i {.issue_id, .type, .severity, .description, .status, .strategy, .rule, .value,
          .evidence, .acknowledged_by, .acknowledged_note,
          acknowledged_at: toString(i.acknowledged_at),
          detected_at: toString(i.detected_at),
          assignee: head([(i)-[a:ASSIGNED_TO]->(p:Person) |
                          p {.twin_id, .name, by: a.by, at: toString(a.at), note: a.note}]),
          predicted_by: [(i)-[:PREDICTED_BY]->(p:DriftIssue) | p.issue_id]} AS issue,
     n.twin_id AS twin_id
// One record with every row: the driver takes ~50 us per record, 50 ms for 1,000.
RETURN collect({issue: issue, twin_id: twin_id}) AS rows
