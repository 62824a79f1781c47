// Every twin node with its properties and the keys each source asserts on it (for export).
MATCH (n:Twin)
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
RETURN n.twin_id AS twin_id, n.kind AS kind, properties(n) AS props,
       collect({source_id: s.source_id, format: s.format, keys: a.keys}) AS assertions
