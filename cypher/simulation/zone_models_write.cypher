// Store one fitted zone model per row (graphtwin calibrate): the model's record (JSON text)
// and the fit metadata people query, on a (:ZoneModel) that MODELS its zone. A refit replaces
// the zone's model. Not a twin entity: it is what the twin learned, not part of the building.
UNWIND $rows AS row
MATCH (z:Twin {twin_id: row.zone})
MERGE (m:ZoneModel {zone: row.zone})
SET m.model_id = row.model_id, m.record = row.record, m.calibrated = row.calibrated,
    m.rmse_k = row.rmse_k, m.samples = row.samples,
    m.fitted_from = datetime(row.fitted_from), m.fitted_to = datetime(row.fitted_to),
    m.fitted_at = datetime(row.fitted_at), m.stale_after = datetime(row.stale_after)
MERGE (m)-[:MODELS]->(z)
RETURN count(m) AS written
