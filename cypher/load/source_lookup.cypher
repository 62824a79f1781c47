// The Source node of an earlier import of $source_id, if any, with what owns it (its format
// and file lineage).
MATCH (s:Source {source_id: $source_id})
RETURN s.format AS format, s.file_name AS file_name, s.sha256 AS sha256, s.lineage AS lineage
