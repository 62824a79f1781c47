// rows: {a, b, confidence, method, evidence}
UNWIND $rows AS row
CREATE (c:LinkCandidate)
SET c = row, c.found_at = $now
