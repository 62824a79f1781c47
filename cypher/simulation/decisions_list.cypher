// Accepted actions, newest first, the first $first, each with its run's scenario name, its
// start and step (the backtest lines the predicted steps up with the history) and the run's
// trajectory file.
MATCH (d:Decision)-[:ACCEPTS]->(r:SimulationRun)-[:OF_SCENARIO]->(s:Scenario)
RETURN d.decision_id AS decision_id, d.run_id AS run_id, d.action AS action, d.note AS note,
       d.by AS by, toString(d.at) AS at, d.predicted AS predicted, s.name AS scenario_name,
       r.trajectories AS trajectories
ORDER BY d.at DESC, d.decision_id
LIMIT $first
