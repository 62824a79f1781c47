"""Drift between the twin and reality. Part one (telemetry): threshold drift, with hysteresis,
and temporal drift (staleness). Each condition becomes a `(:DriftIssue)` linked to its entity
that resolves itself when the condition clears; a per-rule strategy says how it is reconciled."""
