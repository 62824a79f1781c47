// Every live point, for `graphtwin bind --suggest`, with what the matcher reads of each: name,
// class, unit, timeseries id and the `bacnet_*` properties (a Brick BACnetReference) as
// [key, value] pairs. suggest_points_within.cypher: the same for one subtree.
MATCH (p:Point:Twin)
WHERE NOT p:Retired
RETURN p.twin_id AS twin_id, p.name AS name, p.brick_class AS brick_class, p.unit AS unit,
       p.timeseries_id AS timeseries_id,
       [k IN keys(p) WHERE k STARTS WITH 'bacnet_' | [k, p[k]]] AS bacnet
ORDER BY twin_id
