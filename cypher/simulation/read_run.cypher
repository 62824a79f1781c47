// One recorded what-if run by $run_id: the run, its scenario and the twin entities it
// SIMULATES (sorted). No row when no run has that id.
MATCH (r:SimulationRun {run_id: $run_id})-[:OF_SCENARIO]->(s:Scenario)
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
