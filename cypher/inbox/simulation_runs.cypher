// The latest recorded what-if run of each scenario (at most $limit, newest first), with what it
// found: its summary (per variant the impact and the violations foreseen) and the entities it
// SIMULATES; only the runs that touch $ids when a scope gives them.
MATCH (r:SimulationRun)-[:OF_SCENARIO]->(s:Scenario)
WITH s, r ORDER BY r.finished_at DESC, r.run_id
WITH s, head(collect(r)) AS r
WHERE $ids IS NULL OR EXISTS { MATCH (r)-[:SIMULATES]->(n:Twin) WHERE n.twin_id IN $ids }
RETURN r.run_id AS run_id, s.name AS scenario, r.actor AS actor,
       toString(r.finished_at) AS finished_at, r.summary AS summary
ORDER BY r.finished_at DESC, r.run_id
LIMIT $limit
