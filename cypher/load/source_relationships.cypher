// Every twin relationship this source asserted before, found from the nodes it asserted.
MATCH (:Source {source_id: $source_id})<-[:ASSERTED_IN]-(:Twin)-[r]-(:Twin)
WHERE $source_id IN r.sources
RETURN DISTINCT elementId(r) AS rel_eid, startNode(r).twin_id AS start, type(r) AS type,
       endNode(r).twin_id AS end
