// Review candidates are replaced by every linking run.
MATCH (c:LinkCandidate)
DELETE c
