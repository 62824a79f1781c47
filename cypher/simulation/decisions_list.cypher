// Accepted actions, newest first, the first $first (only those of run $run_id when it is not
// null), each with its run's trajectory file (the backtest reads the predicted steps there).
MATCH (d:Decision)-[:ACCEPTS]->(r:SimulationRun)
WHERE $run_id IS NULL OR r.run_id = $run_id
RETURN d.decision_id AS decision_id, d.run_id AS run_id, d.action AS action, d.note AS note,
       d.by AS by, toString(d.at) AS at, d.predicted AS predicted,
       r.trajectories AS trajectories
ORDER BY d.at DESC, d.decision_id
LIMIT $first
