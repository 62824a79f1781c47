// Migration 10: the twin as it was (docs/history.md). Closed versions of twin nodes, of
// relationships and of import sources are kept off the live graph, found by twin_id (or ends,
// or source_id) and by their validity interval [version_from, version_to).
CREATE INDEX node_version_twin_id IF NOT EXISTS FOR (v:NodeVersion) ON (v.twin_id);
CREATE INDEX node_version_from IF NOT EXISTS FOR (v:NodeVersion) ON (v.version_from);
CREATE INDEX node_version_to IF NOT EXISTS FOR (v:NodeVersion) ON (v.version_to);
CREATE INDEX edge_version_start IF NOT EXISTS FOR (v:EdgeVersion) ON (v.start);
CREATE INDEX edge_version_end IF NOT EXISTS FOR (v:EdgeVersion) ON (v.end);
CREATE INDEX edge_version_from IF NOT EXISTS FOR (v:EdgeVersion) ON (v.version_from);
CREATE INDEX edge_version_to IF NOT EXISTS FOR (v:EdgeVersion) ON (v.version_to);
CREATE INDEX source_version_source_id IF NOT EXISTS FOR (v:SourceVersion) ON (v.source_id);

// A twin made before versioning: its live nodes began when a source first asserted them (else
// when their source was first imported, else now), made by 'migration'.
MATCH (n:Twin) WHERE n.version_from IS NULL
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
WITH n, min(a.first_asserted_at) AS first_asserted,
     min(coalesce(s.first_imported_at, s.imported_at)) AS first_imported
SET n.version_from = coalesce(first_asserted, first_imported, datetime()),
    n.version_source = 'migration', n.version_run = 'migration';

// Its relationships between twin nodes began when first asserted (else last changed, else now).
MATCH (:Twin)-[r]->(:Twin) WHERE r.version_from IS NULL
SET r.version_from = coalesce(r.first_asserted_at, r.changed_at, datetime()),
    r.version_source = 'migration', r.version_run = 'migration';
