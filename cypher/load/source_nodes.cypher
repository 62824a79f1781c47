// Every node this source asserted before, with its assertion: defined (keys not empty) or only
// referred to. Read once per import, instead of one lookup per node.
MATCH (:Source {source_id: $source_id})<-[a:ASSERTED_IN]-(n:Twin)
RETURN n.twin_id AS twin_id, n.kind AS kind, elementId(n) AS node_eid,
       elementId(a) AS assertion_eid, a.hash AS hash, size(a.keys) > 0 AS defines
