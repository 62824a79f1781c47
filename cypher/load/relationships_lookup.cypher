// Which relationships among $rows exist already, with their sources, hash and properties.
// rows: {i, start, type, end}
UNWIND $rows AS row
MATCH (a:Twin {twin_id: row.start})-[r]->(b:Twin {twin_id: row.end})
WHERE type(r) = row.type
RETURN row.i AS i, elementId(r) AS rel_eid, r.sources AS sources, r.hash AS hash,
       properties(r) AS props
