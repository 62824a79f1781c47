// Current properties of nodes about to be updated, with every source's asserted keys.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
RETURN node_eid, properties(n) AS props,
       collect({source_id: s.source_id, keys: a.keys, changed_at: a.changed_at}) AS assertions
