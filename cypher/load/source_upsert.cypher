// Create or refresh the Source node of this import (format and lineage say who owns it). A
// source refreshed keeps its earlier state as a SourceVersion (versions/source_close) first.
MERGE (s:Source {source_id: $source_id})
ON CREATE SET s.first_imported_at = $now
SET s.format = $format, s.file_name = $file_name, s.sha256 = $sha256, s.imported_at = $now,
    s.graphtwin_version = $graphtwin_version, s.lineage = $lineage, s.version_run = $run
