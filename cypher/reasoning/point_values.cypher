// The current values of points that observe each of $ids, with the route (the path from the
// point to the node): the node itself when it is a point (`point`), points it HAS_POINT
// (`point`), points LOCATED_IN it (`located`), and points of equipment that FEEDS or SERVES it
// (`served`: a VAV's zone temperature sensor observes the room the VAV feeds). A SAME_AS
// cluster is one thing, on either side. Which property a point measures is decided in Python
// (graphtwin/reasoning/observations.py), from `measures` and `brick_class`. One record: `rows`
// (thousands of records would cost the driver far more than one list).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
CALL (n) {
  MATCH q = SHORTEST 1 (p:Point)-[:SAME_AS]-{0,6}(n)
  WHERE p.value IS NOT NULL
  RETURN q, p, 'point' AS route
  UNION
  MATCH q = SHORTEST 1 (p:Point)<-[:HAS_POINT]-(:Twin)-[:SAME_AS]-{0,6}(n)
  WHERE p.value IS NOT NULL
  RETURN q, p, 'point' AS route
  UNION
  MATCH q = SHORTEST 1 (p:Point)-[:LOCATED_IN]->(:Twin)-[:SAME_AS]-{0,6}(n)
  WHERE p.value IS NOT NULL
  RETURN q, p, 'located' AS route
  UNION
  MATCH q = SHORTEST 1
    (p:Point)<-[:HAS_POINT]-(:Twin)-[:SAME_AS]-{0,6}(:Twin)-[:FEEDS|SERVES]->(:Twin)
    -[:SAME_AS]-{0,6}(n)
  WHERE p.value IS NOT NULL
  RETURN q, p, 'served' AS route
}
WITH id, p, route, nodes(q) AS ns, relationships(q) AS rs
RETURN collect({
  node: id, point: p.twin_id, measures: p.measures, brick_class: p.brick_class, value: p.value,
  unit: p.unit, at: p.value_at, quality: p.value_quality, health: p.health, route: route,
  via: [i IN range(0, size(rs) - 1) |
    {from_id: ns[i].twin_id, from_name: ns[i].name, relation: type(rs[i]),
     to_id: ns[i + 1].twin_id, to_name: ns[i + 1].name,
     reverse: startNode(rs[i]) <> ns[i], sources: rs[i].sources,
     selector: rs[i].selector}]
}) AS rows
