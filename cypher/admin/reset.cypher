// Delete every twin node, source, retired record, linking decision, drift issue and label, live
// data source and what-if record (scenarios, runs, zone models, accepted actions) and the
// twin's history (closed node, relationship and source versions; the schema stays). Runs in an
// auto-commit transaction.
MATCH (n)
WHERE n:Twin OR n:Source OR n:Retired OR n:LinkCandidate OR n:LinkRejection OR n:DriftIssue
   OR n:DriftLabel
   OR n:DataSource OR n:Scenario OR n:SimulationRun OR n:ZoneModel OR n:Decision
   OR n:NodeVersion OR n:EdgeVersion OR n:SourceVersion
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
