// The latest recorded what-if runs, newest first, the first $first (the flight deck's what-if
// page lists them): the same columns as simulation/read_run.
MATCH (r:SimulationRun)-[:OF_SCENARIO]->(s:Scenario)
WITH r, s ORDER BY r.finished_at DESC, r.run_id LIMIT $first
CALL (r) {
  OPTIONAL MATCH (r)-[:SIMULATES]->(n:Twin)
  WITH n ORDER BY n.twin_id
  RETURN collect(n.twin_id) AS affected
}
RETURN r.run_id AS run_id, r.actor AS actor, r.started_at AS started_at,
       r.finished_at AS finished_at, r.code_version AS code_version, r.summary AS summary,
       r.models AS models, r.trajectories AS trajectories, s.scenario_id AS scenario_id,
       s.name AS scenario_name, s.inputs AS inputs, s.created_at AS scenario_created_at,
       affected
ORDER BY finished_at DESC, run_id
