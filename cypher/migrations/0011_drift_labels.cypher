// Migration 11: a person's verdict on a drift issue (false alarm or confirmed), one per issue,
// kept beyond the issue to suppress the finding and teach the next training (docs/ml.md).
CREATE CONSTRAINT drift_label_id_unique IF NOT EXISTS
FOR (l:DriftLabel) REQUIRE l.label_id IS UNIQUE;
