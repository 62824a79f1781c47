// The points bindings name, by twin_id or by Brick timeseries id (`ref:`). Each row of $refs
// is {key, twin_id, ref}; a key that finds no live point is missing from the answer. The unit
// is the point's own: a connector that knows its source's units converts into it.
UNWIND $refs AS r
OPTIONAL MATCH (byId:Twin {twin_id: r.twin_id}) WHERE byId:Point AND NOT byId:Retired
OPTIONAL MATCH (byRef:Twin {timeseries_id: r.ref}) WHERE byRef:Point AND NOT byRef:Retired
WITH r, coalesce(byId, byRef) AS p
WHERE p IS NOT NULL
RETURN r.key AS key, p.twin_id AS twin_id, p.value_at.epochMillis AS value_at_ms, p.unit AS unit
