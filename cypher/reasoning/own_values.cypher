// Each of $ids' own values of the $properties constraints are about: the property of the node
// or of a SAME_AS twin (one thing), with its unit in `<property>_unit` when a source gave one.
// One record: `rows` (thousands of records would cost the driver far more than one list).
// The cluster: each member by its shortest route (SAME_AS, at most 6 hops).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
CALL (n) {
  // a node without SAME_AS is its own cluster: no search
  WITH n WHERE NOT EXISTS { (n)-[:SAME_AS]-() }
  RETURN n AS m, [n] AS ns, [] AS rs
  UNION ALL
  WITH n WHERE EXISTS { (n)-[:SAME_AS]-() }
  MATCH q = SHORTEST 1 (m:Twin)-[:SAME_AS]-{0,6}(n)
  RETURN m, nodes(q) AS ns, relationships(q) AS rs
}
UNWIND $properties AS key
WITH id, m, key, ns, rs
WHERE m[key] IS NOT NULL
RETURN collect({
  node: id, holder: m.twin_id, property: key, value: m[key], unit: m[key + '_unit'],
  via: [i IN range(0, size(rs) - 1) |
    {from_id: ns[i].twin_id, from_name: ns[i].name, relation: type(rs[i]),
     to_id: ns[i + 1].twin_id, to_name: ns[i + 1].name,
     reverse: startNode(rs[i]) <> ns[i], sources: rs[i].sources,
     selector: rs[i].selector}]
}) AS rows
