// The twin relationships of one node, both directions, with the sources asserting them.
MATCH (n:Twin {twin_id: $twin_id})-[r]-(m:Twin)
RETURN startNode(r) = n AS outgoing, type(r) AS type, m.twin_id AS other,
       r.sources AS sources, r.changed_at AS changed_at, properties(r) AS props
ORDER BY type, other
