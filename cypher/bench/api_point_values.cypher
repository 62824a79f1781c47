// API benchmark: a current value on every point, as the API reads it (value, value_at,
// value_quality, value_source, health). Untimed set-up, so a plain SET.
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
SET p.value = row.value, p.value_at = row.at, p.value_quality = row.quality,
    p.value_source = row.source, p.health = row.health
RETURN count(p) AS points
