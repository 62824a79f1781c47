// The subtree of $root: the root and every node that inherits its constraints, i.e. the
// ancestor walk of contributions.cypher turned downward: CONTAINS / HAS_PART / HAS_POINT /
// SERVES (two stretches of at most 10 hops), at most one thing LOCATED_IN what was reached, its
// parts and points (at most 4 hops), and SAME_AS either way at up to five places (at most 2
// hops each). One shortest route per node (bounded, cycle-safe). One record: `ids`, nearest
// first (10,000 records would cost the driver far more than one list).
MATCH (root:Twin {twin_id: $root})
WHERE NOT root:Retired
MATCH p = SHORTEST 1 (root)
  -[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)<-[:LOCATED_IN]-{0,1}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:HAS_PART|HAS_POINT]->{0,4}
  (:Twin)-[:SAME_AS]-{0,2}(n:Twin)
WHERE NOT n:Retired
WITH n.twin_id AS twin_id, length(p) AS depth
ORDER BY depth, twin_id
RETURN collect(twin_id) AS ids
