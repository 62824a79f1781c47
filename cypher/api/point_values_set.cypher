// Current values of points, each with its source timestamp, quality and data source. A value
// older than the one the point holds is ignored (returned with applied = false).
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
WITH p, row, datetime(row.at) AS at
WITH p, row, at, (p.value_at IS NULL OR at >= p.value_at) AS applied
FOREACH (_ IN CASE WHEN applied THEN [1] ELSE [] END |
  SET p.value = row.value, p.value_at = at, p.value_quality = row.quality,
      p.value_source = row.source, p.health = 'ok')
RETURN row.twin_id AS twin_id, applied
