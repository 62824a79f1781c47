// As-of benchmark: the records of the store, counted: nodes and relationships (closed versions
// included), their properties, and how many of the nodes are closed versions.
CALL () { MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS node_properties }
CALL () {
  MATCH ()-[r]->() RETURN count(r) AS relationships, sum(size(keys(r))) AS relationship_properties
}
CALL () { MATCH (v:NodeVersion) RETURN count(v) AS node_versions }
CALL () { MATCH (v:EdgeVersion) RETURN count(v) AS edge_versions }
RETURN nodes, relationships, node_properties, relationship_properties, node_versions,
       edge_versions
