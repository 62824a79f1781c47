// Every live point's current value and its time (what telemetry last wrote), by twin_id.
MATCH (p:Twin:Point)
RETURN p.twin_id AS twin_id, p.value AS value, toString(p.value_at) AS value_at
ORDER BY twin_id
