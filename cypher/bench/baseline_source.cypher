// Benchmark baseline: the Source node of the import, as the store leaves it after a first load.
CREATE (:Source {source_id: $source_id, first_imported_at: $now, format: $format,
                 file_name: $file_name, sha256: $sha256, imported_at: $now,
                 graphtwin_version: $graphtwin_version, version_run: $run})
