// The live points to suggest bindings for (`graphtwin bind --suggest`): every point, or with
// $within the points of that subtree as governance selectors see it (everything below the root
// along CONTAINS / HAS_PART / HAS_POINT, what is LOCATED_IN any of those, and its parts and
// points). What the matcher reads of each: name, class, unit, timeseries id and the `bacnet_*`
// properties (a Brick BACnetReference), as [key, value] pairs.
MATCH (p:Point:Twin)
WHERE NOT p:Retired
  AND ($within IS NULL OR EXISTS {
    MATCH (root:Twin {twin_id: $within})
    WHERE EXISTS { (root)-[:CONTAINS|HAS_PART|HAS_POINT*0..]->(p) }
       OR EXISTS {
         (root)-[:CONTAINS|HAS_PART*0..]->(:Twin)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART|HAS_POINT*0..]->(p)
       }
  })
RETURN p.twin_id AS twin_id, p.name AS name, p.brick_class AS brick_class, p.unit AS unit,
       p.timeseries_id AS timeseries_id,
       [k IN keys(p) WHERE k STARTS WITH 'bacnet_' | [k, p[k]]] AS bacnet
ORDER BY twin_id
