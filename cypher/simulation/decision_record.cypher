// An accepted action of a what-if run (graphtwin.simulation.decisions): a (:Decision) with who
// accepted it, when, the note saying why, the action and the outcome the run predicted for it
// (JSON text), linked ACCEPTS to its (:SimulationRun). decision_id is unique (migration 0012):
// the same action of the same run accepted twice makes the same id, and the second CREATE
// fails. No row when the run is not there.
MATCH (r:SimulationRun {run_id: $run_id})
CREATE (d:Decision {decision_id: $decision_id, run_id: r.run_id, action: $action, note: $note,
                    by: $by, at: datetime($at), predicted: $predicted})
CREATE (d)-[:ACCEPTS]->(r)
RETURN d.decision_id AS decision_id, toString(d.at) AS at
