// This source no longer asserts these relationships: take it off their sources and delete the
// ones nobody asserts any more.
UNWIND $rel_eids AS rel_eid
MATCH ()-[r]->() WHERE elementId(r) = rel_eid
SET r.sources = [s IN r.sources WHERE s <> $source_id]
WITH r WHERE size(r.sources) = 0
DELETE r
RETURN count(*) AS deleted
