// The state of relationships between twin nodes about to change (to close their versions).
UNWIND $rel_eids AS rel_eid
MATCH (a:Twin)-[r]->(b:Twin) WHERE elementId(r) = rel_eid
RETURN rel_eid, a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props
