// Import sources of $source_ids as they stood at $at: the live Source when its last import was
// at or before $at, else the SourceVersion valid then (its file, hash and import time).
UNWIND $source_ids AS sid
CALL (sid) {
  MATCH (s:Source {source_id: sid}) WHERE s.imported_at <= $at
  RETURN s.source_id AS source_id, s.format AS format, s.file_name AS file_name,
         s.sha256 AS sha256, s.imported_at AS imported_at
  UNION ALL
  MATCH (v:SourceVersion {source_id: sid})
  WHERE v.version_from <= $at AND $at < v.version_to
  RETURN v.source_id AS source_id, v.format AS format, v.file_name AS file_name,
         v.sha256 AS sha256, v.imported_at AS imported_at
}
RETURN source_id, format, file_name, sha256, imported_at
