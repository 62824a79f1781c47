// Issues of the given types still open: a sync takes them over when it starts (so a restart
// neither duplicates an open issue nor leaves one open forever), and a structural or semantic
// detection run compares them with what it finds now.
MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin)
WHERE i.type IN $types AND i.status <> 'resolved'
RETURN i.issue_id AS issue_id, i.type AS type, i.severity AS severity, i.rule AS rule,
       n.twin_id AS twin_id
