// For nodes this source stops defining: the keys other sources still define on each.
// A node with no other defining assertion is deleted.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
  WHERE s.source_id <> $source_id AND size(a.keys) > 0
RETURN node_eid, count(a) AS definitions, collect(a.keys) AS keys
