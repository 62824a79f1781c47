// Drift issues as they are detected, each linked to the entity it concerns. Idempotent on
// issue_id: replaying the same detection changes nothing. A `threshold` issue is linked
// (PREDICTED_BY) to the `predicted` issues still open on its entity: the crossing they foresaw.
UNWIND $rows AS row
MATCH (n:Twin {twin_id: row.twin_id})
MERGE (i:DriftIssue {issue_id: row.issue_id})
ON CREATE SET i.type = row.type, i.severity = row.severity, i.description = row.description,
              i.detected_at = datetime({epochMillis: row.at_ms}), i.status = row.status,
              i.strategy = row.strategy, i.rule = row.rule, i.value = row.value,
              i.evidence = row.evidence
MERGE (i)-[:CONCERNS]->(n)
WITH i, n, row
// A threshold crossing that an open early warning foresaw links to it (docs/prediction.md).
CALL (i, n, row) {
  MATCH (p:DriftIssue {type: 'predicted'})-[:CONCERNS]->(n)
  WHERE row.type = 'threshold' AND p.status <> 'resolved'
  MERGE (i)-[:PREDICTED_BY]->(p)
  RETURN count(p) AS linked
}
RETURN count(i) AS opened
