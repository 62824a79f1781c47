// For each node of $ids: its properties and every source's assertion of it (which keys, when
// each last changed), with the source's file, hash and import time.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
RETURN id, properties(n) AS props,
       collect({source_id: s.source_id, format: s.format, file_name: s.file_name,
                sha256: s.sha256, imported_at: s.imported_at, keys: a.keys,
                changed_at: a.changed_at, first_asserted_at: a.first_asserted_at}) AS assertions
