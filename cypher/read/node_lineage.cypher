// One twin node with its labels, properties and every source's assertion of it
// (which keys it asserts and when each last changed).
MATCH (n:Twin {twin_id: $twin_id})
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
RETURN labels(n) AS labels, properties(n) AS props,
       collect({source_id: s.source_id, format: s.format, file_name: s.file_name,
                keys: a.keys, changed_at: a.changed_at,
                first_asserted_at: a.first_asserted_at}) AS assertions
