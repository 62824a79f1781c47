// Delete twin nodes that no source defines any more, counting the twin relationships that go
// with them.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
OPTIONAL MATCH (n)-[r]-(:Twin)
WITH collect(DISTINCT n) AS nodes, count(DISTINCT r) AS relationships
FOREACH (n IN nodes | DETACH DELETE n)
RETURN relationships
