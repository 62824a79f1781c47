// A drift issue given to a person of the twin: (:DriftIssue)-[:ASSIGNED_TO {by, at, note}]->
// (:Person). One assignee at a time: an earlier ASSIGNED_TO is replaced (the audit log keeps
// every assignment). Someone is on it now: an `open` issue becomes `investigating`. No row when
// the issue is not open or under investigation, or the person is not a live Person.
MATCH (i:DriftIssue {issue_id: $issue_id})
WHERE i.status IN ['open', 'investigating']
MATCH (p:Twin:Person {twin_id: $person})
WHERE NOT p:Retired
OPTIONAL MATCH (i)-[old:ASSIGNED_TO]->()
DELETE old
WITH DISTINCT i, p
CREATE (i)-[a:ASSIGNED_TO {by: $by, at: datetime($at), note: $note}]->(p)
SET i.status = 'investigating'
RETURN i.issue_id AS issue_id, i.status AS status, p.twin_id AS person, p.name AS person_name,
       toString(a.at) AS at
