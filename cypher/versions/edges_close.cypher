// Close versions of twin relationships: each row is a whole (:EdgeVersion {start, end, type,
// props (JSON text), version_from, version_source, version_run, version_to, closed_by_source,
// closed_by_run}) as the store built it from the relationship's state before a change.
UNWIND $rows AS row
CREATE (v:EdgeVersion)
SET v = row
