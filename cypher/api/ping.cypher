// Health check: the database answers; how many schema migrations it has applied.
OPTIONAL MATCH (m:SchemaMigration)
RETURN count(m) AS migrations
