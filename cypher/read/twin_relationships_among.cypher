// Relationships starting at one of $ids, with the end node's id (the caller keeps those that
// end inside the set too).
UNWIND $ids AS id
MATCH (a:Twin {twin_id: id})-[r]->(b:Twin)
WHERE r.selector IS NULL OR size(coalesce(r.sources, [])) > 0  // not what a selector derives
RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end, properties(r) AS props
