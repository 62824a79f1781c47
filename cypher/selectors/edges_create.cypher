// Relationships a selector resolves to, new since the last resolution. They carry the
// selecting node's twin_id in `selector` and no `sources`: no import asserts them. Their first
// version is made by 'selector:<twin_id>' in the run $run that resolved them.
// rows: {s_eid, t_eid, type}
UNWIND $rows AS row
MATCH (s:Twin) WHERE elementId(s) = row.s_eid
MATCH (t:Twin) WHERE elementId(t) = row.t_eid
CREATE (s)-[r:$(row.type)]->(t)
SET r.selector = s.twin_id, r.sources = [], r.first_asserted_at = $now, r.changed_at = $now,
    r.version_from = $now, r.version_source = 'selector:' + s.twin_id, r.version_run = $run
