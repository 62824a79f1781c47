// The live points of the subtree of $within, for `graphtwin bind --suggest --within`: the
// subtree as rule selectors see it (everything below the root along CONTAINS / HAS_PART /
// HAS_POINT, what is LOCATED_IN any of those, and its parts and points), walked once from the
// root. The same columns as suggest_points.cypher.
MATCH (root:Twin {twin_id: $within})
CALL (root) {
  MATCH (root)-[:CONTAINS|HAS_PART|HAS_POINT*0..]->(n:Point)
  RETURN n
  UNION
  MATCH (root)-[:CONTAINS|HAS_PART*0..]->(:Twin)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART|HAS_POINT*0..]->(n:Point)
  RETURN n
}
WITH DISTINCT n AS p
WHERE p:Twin AND NOT p:Retired
RETURN p.twin_id AS twin_id, p.name AS name, p.brick_class AS brick_class, p.unit AS unit,
       p.timeseries_id AS timeseries_id,
       [k IN keys(p) WHERE k STARTS WITH 'bacnet_' | [k, p[k]]] AS bacnet
ORDER BY twin_id
