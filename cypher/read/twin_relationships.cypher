// Every relationship between twin nodes (for export).
MATCH (a:Twin)-[r]->(b:Twin)
WHERE r.selector IS NULL OR size(coalesce(r.sources, [])) > 0  // not what a selector derives
RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props
