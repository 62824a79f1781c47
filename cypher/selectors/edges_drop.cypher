// Relationships a selector no longer resolves to: deleted, unless a source asserts them too
// (then they only stop being the selector's, a new version of them made now). Their previous
// versions were closed first (versions/edges_close).
UNWIND $rel_eids AS rel_eid
MATCH ()-[r]->() WHERE elementId(r) = rel_eid
SET r.version_from = $now, r.version_source = 'selector:' + r.selector, r.version_run = $run
REMOVE r.selector
WITH r WHERE size(coalesce(r.sources, [])) = 0
DELETE r
RETURN count(*) AS deleted
