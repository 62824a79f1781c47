// Benchmark: a summary of the twin's end state, to check that a baseline wrote what the store
// writes (counts and property counts of nodes, lineage and relationships; the version stamps of
// nodes counted apart, as the minimal baseline writes none).
CALL () {
  MATCH (n:Twin)
  WITH n, [k IN keys(n) WHERE k IN ['version_from', 'version_source', 'version_run']] AS stamps
  RETURN count(n) AS nodes, sum(size(keys(n)) - size(stamps)) AS node_properties,
         sum(size(stamps)) AS node_version_stamps
}
CALL () {
  MATCH (:Twin)-[a:ASSERTED_IN]->(:Source)
  RETURN count(a) AS assertions, sum(size(a.keys)) AS asserted_keys,
         sum(size(a.changed_at)) AS assertion_changed_at, count(a.hash) AS assertion_hashes,
         count(a.first_asserted_at) AS assertion_first_asserted
}
CALL () {
  MATCH (:Twin)-[r]->(:Twin)
  RETURN count(r) AS relationships, sum(size(keys(r))) AS relationship_properties,
         sum(size(r.sources)) AS relationship_sources, count(r.hash) AS relationship_hashes
}
CALL () {
  MATCH (s:Source)
  RETURN count(s) AS sources, sum(size(keys(s))) AS source_properties
}
RETURN nodes, node_properties, node_version_stamps, assertions, asserted_keys,
       assertion_changed_at, assertion_hashes, assertion_first_asserted, relationships, relationship_properties,
       relationship_sources, relationship_hashes, sources, source_properties
