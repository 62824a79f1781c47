// The twin nodes among $ids with their properties and asserted keys (for export of a subtree).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
RETURN n.twin_id AS twin_id, n.kind AS kind, properties(n) AS props,
       collect({source_id: s.source_id, format: s.format, keys: a.keys}) AS assertions
