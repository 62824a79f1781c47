// Relationships a selector no longer resolves to: deleted, unless a source asserts them too
// (then they only stop being the selector's).
UNWIND $rel_eids AS rel_eid
MATCH ()-[r]->() WHERE elementId(r) = rel_eid
REMOVE r.selector
WITH r WHERE size(coalesce(r.sources, [])) = 0
DELETE r
RETURN count(*) AS deleted
