// Scale benchmark: every node and relationship in the database (twin, provenance, sources,
// schema bookkeeping), read from Neo4j's count store.
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
