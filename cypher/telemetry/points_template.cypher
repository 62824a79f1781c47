// Candidate points of a binding whose point is a template over a topic's + levels: live points
// whose twin_id ($by_ref false) or Brick timeseries id ($by_ref true) starts with $prefix, the
// template's text before its first placeholder. The caller keeps those the template spells.
MATCH (p:Twin)
WHERE (CASE WHEN $by_ref THEN p.timeseries_id ELSE p.twin_id END) STARTS WITH $prefix
  AND p:Point AND NOT p:Retired
RETURN p.twin_id AS twin_id, p.timeseries_id AS ref, p.value_at.epochMillis AS value_at_ms,
       p.unit AS unit
