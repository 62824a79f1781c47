// The state of every relationship between twin nodes that touches one of $node_eids (nodes
// about to be retired): a relationship between two of them is returned twice.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
MATCH (n)-[r]-(:Twin)
RETURN elementId(r) AS rel_eid, startNode(r).twin_id AS start, type(r) AS type,
       endNode(r).twin_id AS end, properties(r) AS props
