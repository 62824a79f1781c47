// Which of $ids are twin nodes already (asserted by other sources, or written by hand).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN id, elementId(n) AS node_eid, n.kind AS kind
