// Every node this source asserted before: defined (keys not empty) or only referred to.
MATCH (:Source {source_id: $source_id})<-[a:ASSERTED_IN]-(n:Twin)
RETURN n.twin_id AS twin_id, elementId(n) AS node_eid, elementId(a) AS assertion_eid,
       size(a.keys) > 0 AS defines, a.keys AS keys
