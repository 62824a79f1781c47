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
// shortest route per ancestor and bounds the search (cycle-safe).
// Only live twin nodes are walked (:Twin; retired nodes lost that label and their edges).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
MATCH p = SHORTEST 1 (a:Twin)
  -[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:CONTAINS|HAS_PART|HAS_POINT|SERVES]->{0,10}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)<-[:LOCATED_IN]-{0,1}
  (:Twin)-[:SAME_AS]-{0,2}(:Twin)-[:HAS_PART|HAS_POINT]->{0,4}
  (:Twin)-[:SAME_AS]-{0,2}(n)
WHERE EXISTS { (a)<-[:APPLIES_TO]-(:Constraint|Regulation) }
CALL (a) {
  MATCH (c:Constraint)-[ap:APPLIES_TO]->(a)
  OPTIONAL MATCH (reg:Regulation)-[hp:HAS_PART]->(c)
  RETURN c, ap, c AS governor, reg, hp
  UNION
  MATCH (reg:Regulation)-[ap:APPLIES_TO]->(a)
  MATCH (reg)-[hp:HAS_PART]->(c:Constraint)
  RETURN c, ap, reg AS governor, reg, hp
}
WITH id, a, c, ap, governor, reg, hp, nodes(p) AS ns, relationships(p) AS rs
RETURN id AS node,
       c.twin_id AS constraint_id, c.name AS name, c.property AS property, c.min AS min,
       c.max AS max, c.unit AS unit, c.severity AS severity,
       c.constraint_type AS constraint_type, c.when AS when, c.regulation AS regulation,
       CASE WHEN hp IS NULL THEN null ELSE
         {from_id: reg.twin_id, from_name: reg.name, relation: 'HAS_PART', to_id: c.twin_id,
          to_name: c.name, reverse: false, sources: hp.sources, selector: hp.selector}
       END AS has_part,
       {from_id: governor.twin_id, from_name: governor.name, relation: 'APPLIES_TO',
        to_id: a.twin_id, to_name: a.name, reverse: false, sources: ap.sources,
        selector: ap.selector} AS applies_to,
       [i IN range(0, size(rs) - 1) |
         {from_id: ns[i].twin_id, from_name: ns[i].name, relation: type(rs[i]),
          to_id: ns[i + 1].twin_id, to_name: ns[i + 1].name,
          reverse: startNode(rs[i]) <> ns[i], sources: rs[i].sources,
          selector: rs[i].selector}] AS path
