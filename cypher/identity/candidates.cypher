// The review candidates of the last linking run, best first.
MATCH (c:LinkCandidate)
RETURN c.a AS a, c.b AS b, c.confidence AS confidence, c.method AS method,
       c.evidence AS evidence, c.found_at AS found_at
ORDER BY confidence DESC, a, b
