// reasoning/contributions for a few nodes: the same routes, found by walking UP from each node
// of $ids instead of down from every anchor in the database. Its cost is what those nodes'
// ancestors cost; the walk down costs every anchor's whole subtree (a portfolio's buildings for
// one room). ConstraintReader picks this one for short id lists (see WALK_UP_BELOW there).
// The path is contributions.cypher's pattern turned round (the same stretches, each reversed,
// in reverse order), so a route found is one of the same shortest routes. n is bound before the
// CALL and the anchor test comes after the path, so the planner expands from n: a pattern with
// both ends free lets it bind the anchors first and scan every :Twin node per id.
// The answer is contributions.cypher's one record, in its format: routes (steps from the anchor
// down), rules, steps.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
CALL (n) {
  MATCH p = SHORTEST 1 (n)
    -[:SAME_AS]-{0,2}(:Twin)<-[:HAS_PART|HAS_POINT]-{0,4}
    (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:LOCATED_IN]->{0,1}
    (:Twin)-[:SAME_AS]-{0,2}(:Twin)<-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]-{0,10}
    (:Twin)-[:SAME_AS]-{0,2}(:Twin)<-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]-{0,10}
    (:Twin)-[:SAME_AS]-{0,2}(a:Twin)
  WITH a, p
  WHERE EXISTS { (a)<-[:APPLIES_TO]-(:Constraint|Regulation) }
  RETURN a, reverse(nodes(p)) AS ns, reverse(relationships(p)) AS rs
}
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
