// Migration 8: what-if simulation records (graphtwin simulate, the API's simulate). A scenario
// is unique by the hash of its inputs, a run by its id; a zone has at most one stored thermal
// model (graphtwin calibrate replaces it). None of them is a Twin node.
CREATE CONSTRAINT scenario_id_unique IF NOT EXISTS
FOR (s:Scenario) REQUIRE s.scenario_id IS UNIQUE;

CREATE CONSTRAINT simulation_run_id_unique IF NOT EXISTS
FOR (r:SimulationRun) REQUIRE r.run_id IS UNIQUE;

CREATE CONSTRAINT zone_model_zone_unique IF NOT EXISTS
FOR (m:ZoneModel) REQUIRE m.zone IS UNIQUE;

CREATE INDEX simulation_run_finished_at IF NOT EXISTS
FOR (r:SimulationRun) ON (r.finished_at);
