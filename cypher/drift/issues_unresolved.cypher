// Issues of the given types still open when a sync starts: the monitors take them over, so a
// restart neither duplicates an open issue nor leaves one open forever.
MATCH (i:DriftIssue)-[:CONCERNS]->(n:Twin)
WHERE i.type IN $types AND i.status <> 'resolved'
RETURN i.issue_id AS issue_id, i.type AS type, i.severity AS severity, n.twin_id AS twin_id
