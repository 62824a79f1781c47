// The current values of points that observe each of $ids, with the route (the path from the
// point to the node): the node itself when it is a point (`point`), points it HAS_POINT
// (`point`), points LOCATED_IN it (`located`), and points of equipment that FEEDS or SERVES it
// (`served`: a VAV's zone temperature sensor observes the room the VAV feeds). A SAME_AS
// cluster is one thing, on either side. Only points that may measure one of $properties come
// back: `measures` in $properties or the lower-cased Brick class in $classes (the class names
// that measure them, from graphtwin/reasoning/observations.py, which decides the rest).
// One record (thousands of records would cost the driver far more than one list): `rows`
// (node, point, route, via), and `points`, each point's value and its fields once, however
// many nodes it observes (a point's own node, its equipment, its room: decoding its timestamp
// is dear).
//
// The search: each node's SAME_AS cluster once (its members by their shortest route; a node
// without SAME_AS is its own cluster, without a search), then the direct relationships the
// vocabulary defines from each member (HAS_POINT, LOCATED_IN, FEEDS|SERVES then the feeder's
// cluster and its HAS_POINT), keeping per point and route the shortest such path: the path
//   (p)-[:SAME_AS]-{0,6}(n), (p)<-[:HAS_POINT]-()-[:SAME_AS]-{0,6}(n),
//   (p)-[:LOCATED_IN]->()-[:SAME_AS]-{0,6}(n),
//   (p)<-[:HAS_POINT]-()-[:SAME_AS]-{0,6}()-[:FEEDS|SERVES]->()-[:SAME_AS]-{0,6}(n)
// a SHORTEST search per node and route would find (four searches per node took ~1.2 s for the
// 10,000-point building's 11,262 nodes).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
CALL (n) {
  WITH n WHERE NOT EXISTS { (n)-[:SAME_AS]-() }
  RETURN n AS m, [n] AS mns, [] AS mrs
  UNION ALL
  WITH n WHERE EXISTS { (n)-[:SAME_AS]-() }
  MATCH q = SHORTEST 1 (n)-[:SAME_AS]-{0,6}(m:Twin)
  RETURN m, nodes(q) AS mns, relationships(q) AS mrs
}
// from the member m to n: its route turned round
WITH id, m, reverse(mns) AS mns, reverse(mrs) AS mrs
CALL (m, mns, mrs) {
  WITH m, mns, mrs WHERE m:Point
  RETURN m AS p, mns AS ns, mrs AS rs, 'point' AS route
  UNION ALL
  MATCH (p:Point)<-[h:HAS_POINT]-(m)
  RETURN p, [p] + mns AS ns, [h] + mrs AS rs, 'point' AS route
  UNION ALL
  MATCH (p:Point)-[l:LOCATED_IN]->(m)
  RETURN p, [p] + mns AS ns, [l] + mrs AS rs, 'located' AS route
  UNION ALL
  MATCH (x:Twin)-[f:FEEDS|SERVES]->(m)
  CALL (x) {
    WITH x WHERE NOT EXISTS { (x)-[:SAME_AS]-() }
    RETURN x AS e, [x] AS ens, [] AS ers
    UNION ALL
    WITH x WHERE EXISTS { (x)-[:SAME_AS]-() }
    MATCH q = SHORTEST 1 (e:Twin)-[:SAME_AS]-{0,6}(x)
    RETURN e, nodes(q) AS ens, relationships(q) AS ers
  }
  MATCH (p:Point)<-[h:HAS_POINT]-(e)
  RETURN p, [p] + ens + mns AS ns, [h] + ers + [f] + mrs AS rs, 'served' AS route
}
WITH id, p, route, ns, rs
WHERE p.value IS NOT NULL
  AND (p.measures IN $properties OR toLower(p.brick_class) IN $classes)
// the shortest path per point and route, as SHORTEST would keep
ORDER BY size(rs)
WITH id, p, route, head(collect({ns: ns, rs: rs})) AS shortest
WITH id, p, route, shortest.ns AS ns, shortest.rs AS rs
WITH collect({
  node: id, point: p.twin_id, route: route,
  via: [i IN range(0, size(rs) - 1) |
    {from_id: ns[i].twin_id, from_name: ns[i].name, relation: type(rs[i]),
     to_id: ns[i + 1].twin_id, to_name: ns[i + 1].name,
     reverse: startNode(rs[i]) <> ns[i], sources: rs[i].sources,
     selector: rs[i].selector}]
}) AS rows, collect(DISTINCT p) AS found
RETURN rows, [p IN found |
  {point: p.twin_id, measures: p.measures, brick_class: p.brick_class, value: p.value,
   unit: p.unit, at: p.value_at, quality: p.value_quality, health: p.health}] AS points
