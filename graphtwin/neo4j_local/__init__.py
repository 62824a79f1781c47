"""A local Neo4j Community server that graphtwin provisions from Maven Central and runs itself."""
