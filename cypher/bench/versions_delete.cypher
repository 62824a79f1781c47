// As-of benchmark's same-run baseline: every closed version deleted (NodeVersion, EdgeVersion,
// SourceVersion: off the live graph, unconnected), so the present query is timed again without
// them on the same server; returns how many were deleted.
MATCH (v) WHERE v:NodeVersion OR v:EdgeVersion OR v:SourceVersion
DETACH DELETE v
RETURN count(*) AS deleted
