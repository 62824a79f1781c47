// Which of $ids are already twin nodes: their kind and this source's assertion of them.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(:Source {source_id: $source_id})
RETURN id, elementId(n) AS node_eid, n.kind AS kind, elementId(a) AS assertion_eid,
       a.hash AS hash
