// The what-if state for the snapshot's `operations`: the zones in scope ($ids; null: the whole
// twin) of kind $zone_kind, how many have a stored thermal model (graphtwin calibrate), how many
// of those were fitted from history and how many start from geometry priors, how many are past
// their stated age at $now, the oldest fit; and the what-if runs recorded (linked to the scope).
CALL () {
  MATCH (z:Twin {kind: $zone_kind})
  WHERE NOT z:Retired AND ($ids IS NULL OR z.twin_id IN $ids)
  OPTIONAL MATCH (m:ZoneModel)-[:MODELS]->(z)
  RETURN count(DISTINCT z) AS zones, count(m) AS models,
         count(CASE WHEN m.calibrated THEN 1 END) AS calibrated,
         count(CASE WHEN m.stale_after < datetime($now) THEN 1 END) AS stale,
         min(m.fitted_at) AS oldest_fit
}
CALL () {
  OPTIONAL MATCH (r:SimulationRun)
  WHERE $ids IS NULL OR EXISTS { (r)-[:SIMULATES]->(n:Twin) WHERE n.twin_id IN $ids }
  RETURN count(r) AS runs, max(r.finished_at) AS last_run_at
}
RETURN zones, models, calibrated, models - calibrated AS from_priors, stale,
       toString(oldest_fit) AS oldest_fit, runs, toString(last_run_at) AS last_run_at
