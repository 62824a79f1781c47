// The live points a forecast run covers: every point of the twin ($root null), or those in the
// subtree of $root as rule selectors see it (CONTAINS / HAS_PART / HAS_POINT below the root,
// and what is LOCATED_IN any of those with its parts and points), with the Brick class, unit
// and name their kind is read from.
MATCH (p:Twin:Point)
WHERE NOT p:Retired
  AND ($root IS NULL OR EXISTS {
    MATCH (root:Twin {twin_id: $root})
    WHERE EXISTS { (root)-[:CONTAINS|HAS_PART|HAS_POINT*0..]->(p) }
       OR EXISTS {
         (root)-[:CONTAINS|HAS_PART*0..]->(:Twin)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART|HAS_POINT*0..]->(p)
       }
  })
RETURN p.twin_id AS twin_id, true AS is_point, p.kind AS kind, p.brick_class AS brick_class,
       p.unit AS unit, p.name AS name
ORDER BY twin_id
