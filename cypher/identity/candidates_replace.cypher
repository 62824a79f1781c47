// The review candidates of a linking run replace those of the last one, in one transaction.
// rows: {a, b, confidence, method, evidence}
OPTIONAL MATCH (old:LinkCandidate)
DELETE old
WITH count(*) AS replaced
UNWIND $rows AS row
CREATE (c:LinkCandidate)
SET c = row, c.found_at = $now
