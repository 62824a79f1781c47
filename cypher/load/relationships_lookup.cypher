// Which relationships among $rows (new to this source, between nodes that existed before)
// exist already, asserted by another source. Both ends are looked up first so the planner
// expands into the pair instead of scanning every relationship of a well-connected start node.
// rows: {i, start, type, end}
UNWIND $rows AS row
MATCH (a:Twin {twin_id: row.start})
MATCH (b:Twin {twin_id: row.end})
MATCH (a)-[r]->(b)
WHERE type(r) = row.type
RETURN row.i AS i, elementId(r) AS rel_eid
