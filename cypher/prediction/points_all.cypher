// Every live point of the twin, with the Brick class, unit and name its kind is read from (a
// forecast run over the whole twin; one under a root reads the root's scope first, then
// prediction/points).
MATCH (p:Twin:Point)
WHERE NOT p:Retired
RETURN p.twin_id AS twin_id, true AS is_point, p.kind AS kind, p.brick_class AS brick_class,
       p.unit AS unit, p.name AS name
ORDER BY twin_id
