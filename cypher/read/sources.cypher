// Every import source with what it asserts.
MATCH (s:Source)
RETURN s.source_id AS source_id, s.format AS format, s.file_name AS file_name,
       s.sha256 AS sha256, s.imported_at AS imported_at,
       COUNT { (s)<-[:ASSERTED_IN]-(:Twin) } AS nodes
ORDER BY source_id
