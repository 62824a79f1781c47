// The constraints that reach each of $ids, with the chain of relationships that explains how.
// A constraint reaches node n when it, or a regulation that HAS_PART it, APPLIES_TO n or an
// ancestor a of n. From a down to n the path goes, in this order:
//   down CONTAINS / HAS_PART / HAS_POINT / SERVES (two stretches of at most 10 hops),
//   at most one thing LOCATED_IN what was reached (a sensor in a room inherits the room's
//   rules; a room does not inherit the plant room's rules through the AHU that sits there),
//   the parts and points of that thing (at most 4 hops),
// and at up to five places across SAME_AS, either way (at most 2 hops each): one thing described
// by several sources, the building in Brick, its storeys in IFC. The stretches are typed and
// directed, so the search only reads the relationships it may follow; SHORTEST keeps one
// shortest route per (ancestor, node) pair and bounds the search (cycle-safe).
// The walk starts at the anchors (the nodes a constraint or regulation APPLIES_TO, few) and goes
// down once from each, keeping the nodes in $ids: the same routes as a walk up from every node
// of $ids, without a search per node (which took minutes for 10,000 points).
// Only live twin nodes are walked (:Twin; retired nodes lost that label and their edges).
//
// One record, each thing once (a building's chains share most of their steps; a record and a
// map cost the driver far more than a string):
//   routes: {anchor, node, steps: [elementId of each relationship, from the anchor down],
//           backwards: [whether the route walks it from its end node, as a SAME_AS may be]};
//   rules:  {anchor, constraint and its fields, has_part, applies_to}, per constraint that
//           reaches an anchor (itself, or through its regulation);
//   steps:  {id: elementId, relation, start_id, start_name, end_id, end_name, sources,
//           selector}, per relationship some route walks.
MATCH (a:Twin)<-[:APPLIES_TO]-(:Constraint|Regulation)
WITH DISTINCT a
MATCH p = SHORTEST 1 (a)
  -[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)<-[:LOCATED_IN]-{0,1}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:HAS_PART|HAS_POINT]->{0,4}
  (:Twin)-[:SAME_AS]-{0,2}(n:Twin)
WHERE n.twin_id IN $ids AND NOT n:Retired
WITH a, n, nodes(p) AS ns, relationships(p) AS rs
WITH collect({anchor: a.twin_id, node: n.twin_id, steps: [r IN rs | elementId(r)],
              backwards: [i IN range(0, size(rs) - 1) | startNode(rs[i]) <> ns[i]]}) AS routes,
     collect(DISTINCT a) AS anchors,
     collect(rs) AS walked
CALL (anchors) {
  UNWIND anchors AS a
  CALL (a) {
    MATCH (c:Constraint)-[ap:APPLIES_TO]->(a)
    OPTIONAL MATCH (reg:Regulation)-[hp:HAS_PART]->(c)
    RETURN c, ap, c AS governor, reg, hp
    UNION
    MATCH (reg:Regulation)-[ap:APPLIES_TO]->(a)
    MATCH (reg)-[hp:HAS_PART]->(c:Constraint)
    RETURN c, ap, reg AS governor, reg, hp
  }
  RETURN collect({
    anchor: a.twin_id,
    constraint_id: c.twin_id, name: c.name, property: c.property, min: c.min, max: c.max,
    unit: c.unit, severity: c.severity, constraint_type: c.constraint_type, when: c.when,
    regulation: c.regulation,
    has_part: CASE WHEN hp IS NULL THEN null ELSE
      {from_id: reg.twin_id, from_name: reg.name, relation: 'HAS_PART', to_id: c.twin_id,
       to_name: c.name, reverse: false, sources: hp.sources, selector: hp.selector}
    END,
    applies_to:
      {from_id: governor.twin_id, from_name: governor.name, relation: 'APPLIES_TO',
       to_id: a.twin_id, to_name: a.name, reverse: false, sources: ap.sources,
       selector: ap.selector}
  }) AS rules
}
CALL (walked) {
  UNWIND walked AS rs
  UNWIND rs AS r
  WITH DISTINCT r
  WITH r, startNode(r) AS s, endNode(r) AS e
  RETURN collect({
    id: elementId(r), relation: type(r), start_id: s.twin_id, start_name: s.name,
    end_id: e.twin_id, end_name: e.name, sources: r.sources, selector: r.selector
  }) AS steps
}
RETURN routes, rules, steps
