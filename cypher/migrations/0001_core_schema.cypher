// Migration 1: identity constraints and lookup indexes of the graph contract.
// Applied once by `graphtwin db migrate` (and automatically on first use); recorded as a
// (:SchemaMigration) node. Never edit an applied migration: add a new file instead.

CREATE CONSTRAINT twin_id_unique IF NOT EXISTS
FOR (n:Twin) REQUIRE n.twin_id IS UNIQUE;

CREATE CONSTRAINT source_id_unique IF NOT EXISTS
FOR (s:Source) REQUIRE s.source_id IS UNIQUE;

CREATE CONSTRAINT schema_migration_version_unique IF NOT EXISTS
FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE;

CREATE INDEX twin_kind IF NOT EXISTS FOR (n:Twin) ON (n.kind);
CREATE INDEX twin_name IF NOT EXISTS FOR (n:Twin) ON (n.name);
CREATE INDEX twin_uri IF NOT EXISTS FOR (n:Twin) ON (n.uri);
CREATE INDEX twin_brick_class IF NOT EXISTS FOR (n:Twin) ON (n.brick_class);
CREATE INDEX twin_ifc_guid IF NOT EXISTS FOR (n:Twin) ON (n.ifc_guid);
CREATE INDEX twin_ifc_class IF NOT EXISTS FOR (n:Twin) ON (n.ifc_class);
CREATE INDEX twin_isa95_id IF NOT EXISTS FOR (n:Twin) ON (n.isa95_id);
CREATE INDEX twin_isa95_level IF NOT EXISTS FOR (n:Twin) ON (n.isa95_level);
