// The import sources that assert anything about the nodes of a snapshot ($ids; null: the whole
// twin), with how many of those nodes each defines: the provenance the snapshot anchors to.
MATCH (n:Twin)-[a:ASSERTED_IN]->(s:Source)
WHERE ($ids IS NULL OR n.twin_id IN $ids) AND NOT n:Retired
WITH s, count(CASE WHEN size(a.keys) > 0 THEN 1 END) AS entities
RETURN s.source_id AS source_id, s.format AS format, s.file_name AS file_name,
       s.sha256 AS sha256, toString(s.imported_at) AS imported_at,
       toString(coalesce(s.first_imported_at, s.imported_at)) AS first_imported_at, entities
ORDER BY source_id
