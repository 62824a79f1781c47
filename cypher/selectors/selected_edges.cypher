// The relationships selecting nodes have now, of the type their selector makes: those a
// selector made (`selector` set) and those a source asserts (non-empty `sources`).
UNWIND $selecting AS s_row
MATCH (s:Twin) WHERE elementId(s) = s_row.eid
MATCH (s)-[r]->(t:Twin)
WHERE type(r) = s_row.rel_type
RETURN s_row.eid AS s_eid, elementId(t) AS t_eid, elementId(r) AS rel_eid,
       r.selector IS NOT NULL AS by_selector, size(coalesce(r.sources, [])) AS asserted_by
