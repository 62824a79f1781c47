// What is at stake where each of $ids is (graphtwin.inbox.ranking): the unit it belongs to (a
// point's equipment, HAS_POINT, or itself), what that unit feeds (FEEDS, up to 10 hops) and
// what those serve (SERVES), the space it is LOCATED_IN, kept when a Space or Zone, with the
// spaces of an affected zone (MEMBER_OF); their occupancy (occupancy_max); the constraints and
// regulations that apply to the unit or to an affected zone (APPLIES_TO); and the people
// responsible for the unit, directly or through a role (RESPONSIBLE_FOR).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WITH n, [n] + [(o:Twin)-[:HAS_POINT]->(n) | o] AS units
CALL (n, units) {
  UNWIND units AS u
  MATCH (u)-[:FEEDS]->{0,10}(d:Twin)
  WITH n, collect(DISTINCT d) AS fed
  WITH n, fed,
       reduce(acc = [], d IN fed | acc + [(d)-[:SERVES]->(s:Twin) | s])
       + [(n)-[:LOCATED_IN]->(l:Twin) | l] AS near
  WITH [x IN fed + near WHERE x:Space OR x:Zone] AS direct
  WITH direct + reduce(acc = [], z IN direct | acc + [(m:Space)-[:MEMBER_OF]->(z) | m]) AS found
  RETURN reduce(acc = [], x IN found | CASE WHEN x IN acc THEN acc ELSE acc + x END) AS zones
}
WITH n, units, zones,
     reduce(acc = [], x IN units + zones |
            acc + [(c:Constraint|Regulation)-[:APPLIES_TO]->(x) | c]) AS governing
WITH n, units, zones,
     reduce(acc = [], c IN governing | CASE WHEN c IN acc THEN acc ELSE acc + c END) AS rules
// One record with every row: the driver takes ~50 us per record, 50 ms for 1,000.
RETURN collect({
  twin_id: n.twin_id, name: n.name, kind: n.kind,
  zones: [z IN zones | z {.twin_id, .name}],
  people: reduce(total = 0, z IN zones | total + coalesce(toInteger(z.occupancy_max), 0)),
  hard_constraints: size([c IN rules WHERE c:Regulation OR c.severity = 'hard']),
  soft_constraints: size([c IN rules WHERE NOT (c:Regulation OR c.severity = 'hard')]),
  constraint_ids: [c IN rules | c.twin_id],
  responsible: reduce(acc = [], u IN units |
                      acc + [(p:Person)-[:RESPONSIBLE_FOR]->(u) | p.name]
                          + [(p:Person)-[:MEMBER_OF]->(:Role)-[:RESPONSIBLE_FOR]->(u) | p.name])
}) AS rows
