// The Source node of an earlier import of $source_id, if any.
MATCH (s:Source {source_id: $source_id})
RETURN s.format AS format, s.file_name AS file_name, s.sha256 AS sha256
