// Every relationship between twin nodes (for export).
MATCH (a:Twin)-[r]->(b:Twin)
RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props
