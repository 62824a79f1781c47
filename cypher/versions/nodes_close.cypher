// Close versions of twin nodes (docs/history.md): each row is a whole (:NodeVersion) as the
// store built it from the node's state before a change (twin_id, kind, name, brick_class,
// labels, props and assertions as JSON text, version_from, version_source, version_run) plus
// version_to, closed_by_source, closed_by_run and retired. Not labelled Twin, not connected.
UNWIND $rows AS row
CREATE (v:NodeVersion)
SET v = row
