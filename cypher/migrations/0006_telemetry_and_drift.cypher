// Migration 6: live telemetry and drift. Points are found by their Brick timeseries id
// (bindings name `ref:`); data sources and drift issues are unique by id.
CREATE INDEX twin_timeseries_id IF NOT EXISTS FOR (n:Twin) ON (n.timeseries_id);

CREATE CONSTRAINT data_source_id_unique IF NOT EXISTS
FOR (s:DataSource) REQUIRE s.source_id IS UNIQUE;

CREATE CONSTRAINT drift_issue_id_unique IF NOT EXISTS
FOR (i:DriftIssue) REQUIRE i.issue_id IS UNIQUE;

CREATE INDEX drift_issue_status IF NOT EXISTS FOR (i:DriftIssue) ON (i.status);
