// How calibrated the twin's zone models are, for the snapshot: how many zones have a model,
// how many of those were fitted from history (the rest start from geometry priors), how many
// are past their stated age at $now, and the oldest fit.
OPTIONAL MATCH (m:ZoneModel)
RETURN count(m) AS models,
       count(CASE WHEN m.calibrated THEN 1 END) AS calibrated,
       count(CASE WHEN m.stale_after < datetime($now) THEN 1 END) AS stale,
       toString(min(m.fitted_at)) AS oldest_fit
