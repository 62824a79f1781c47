// The server's name, version and edition (used by `graphtwin neo4j status`).
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
