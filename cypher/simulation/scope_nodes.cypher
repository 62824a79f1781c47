// What a what-if run reads of the live twin (never writes): the building $root, everything
// below it along CONTAINS / HAS_PART (any depth, the root included), what is LOCATED_IN any of
// those (VAV boxes, fan coils) with its parts, what supplies any of those upstream along
// FEEDS / SERVES (at most 10 hops: a VAV box that serves a room but is located nowhere, the AHU
// that feeds it, the plant that feeds the AHU) with its parts, and those of their points
// (HAS_POINT, or a point LOCATED_IN the node) whose Brick class is one of $point_classes (what
// the zone models read), with the properties the run needs: kind, class, geometry and the
// point's current value. Retired nodes are not part of the twin.
MATCH (root:Twin {twin_id: $root})
WHERE NOT root:Retired
MATCH (root)-[:CONTAINS|HAS_PART]->{0,12}(a:Twin)
WHERE NOT a:Retired
WITH DISTINCT a
CALL (a) {
  RETURN a AS n
  UNION
  MATCH (a)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART]->{0,4}(n:Twin)
  WHERE NOT n:Retired
  RETURN n
}
WITH DISTINCT n
CALL (n) {
  RETURN n AS s
  UNION
  MATCH (n)<-[:FEEDS|SERVES]-{1,10}(:Twin)-[:HAS_PART]->{0,4}(s:Twin)
  WHERE NOT s:Retired
  RETURN s
}
WITH DISTINCT s AS n
CALL (n) {
  RETURN n AS m
  UNION
  MATCH (n)-[:HAS_POINT]->(m:Twin)
  WHERE NOT m:Retired AND m.brick_class IN $point_classes
  RETURN m
  UNION
  MATCH (m:Twin:Point)-[:LOCATED_IN]->(n)
  WHERE NOT m:Retired AND m.brick_class IN $point_classes
  RETURN m
}
WITH DISTINCT m
RETURN m.twin_id AS twin_id, m.kind AS kind, m.name AS name, m.brick_class AS brick_class,
       m.floor_area_m2 AS floor_area_m2, m.volume_m3 AS volume_m3,
       m.multiplier AS multiplier, m.unit AS unit, m.value AS value,
       toString(m.value_at) AS value_at
ORDER BY twin_id
