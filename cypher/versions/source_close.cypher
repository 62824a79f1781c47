// Keep the state of an import source before it is refreshed by a re-import, as
// (:SourceVersion), valid from its last import to now: lineage at a past time names the file
// and hash the source had then.
MATCH (s:Source {source_id: $source_id})
CREATE (v:SourceVersion)
SET v.source_id = s.source_id, v.format = s.format, v.file_name = s.file_name,
    v.sha256 = s.sha256, v.lineage = s.lineage, v.imported_at = s.imported_at,
    v.first_imported_at = s.first_imported_at, v.graphtwin_version = s.graphtwin_version,
    v.version_run = s.version_run, v.version_from = s.imported_at, v.version_to = $now,
    v.closed_by_run = $run
