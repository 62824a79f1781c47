// Record that migration $version was applied (idempotent).
MERGE (m:SchemaMigration {version: $version})
ON CREATE SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime(),
              m.graphtwin_version = $graphtwin_version
