// Sources (imported files) by source_id, or all of them when $ids is null.
MATCH (s:Source)
WHERE $ids IS NULL OR s.source_id IN $ids
RETURN s.source_id AS source_id, s.format AS format, s.file_name AS file_name,
       s.sha256 AS sha256, s.imported_at AS imported_at
ORDER BY s.source_id
LIMIT $limit
