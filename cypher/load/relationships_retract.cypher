// This source no longer asserts these relationships: take it off their sources and delete the
// ones nobody asserts any more. Their previous versions were closed first; those kept begin a
// new one now.
UNWIND $rel_eids AS rel_eid
MATCH ()-[r]->() WHERE elementId(r) = rel_eid
SET r.sources = [s IN r.sources WHERE s <> $source_id],
    r.version_from = $now, r.version_source = $source_id, r.version_run = $run
WITH r WHERE size(r.sources) = 0
DELETE r
RETURN count(*) AS deleted
