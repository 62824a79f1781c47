// Record one what-if run (graphtwin.simulation.records), in the caller's write transaction:
// the scenario (one per inputs hash: the same inputs are the same scenario), the run with its
// lineage (who, when, code version, calibrated models, summary, trajectory file), and a
// SIMULATES link to each live twin entity in $affected. Nothing else of the twin is touched.
MERGE (s:Scenario {scenario_id: $scenario_id})
  ON CREATE SET s.name = $name, s.inputs = $inputs, s.created_at = $started_at
CREATE (r:SimulationRun {run_id: $run_id})
SET r.actor = $actor, r.started_at = $started_at, r.finished_at = $finished_at,
    r.code_version = $code_version, r.summary = $summary, r.models = $models,
    r.trajectories = $trajectories
CREATE (r)-[:OF_SCENARIO]->(s)
WITH r
CALL (r) {
  UNWIND $affected AS id
  MATCH (n:Twin {twin_id: id})
  WHERE NOT n:Retired
  CREATE (r)-[:SIMULATES]->(n)
  RETURN count(n) AS linked
}
RETURN r.run_id AS run_id, linked
