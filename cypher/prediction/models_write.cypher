// Store one fitted forecast model per row (graphtwin forecast fit): the model's record (JSON
// text, graphtwin.prediction.forecast.FittedModel.to_record) and the metadata people query, on
// a (:ForecastModel) that MODELS its point. A refit replaces the point's model. Not a twin
// entity: it is what the twin learned about the point, not part of the building.
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.point})
MERGE (m:ForecastModel {point: row.point})
SET m.model_id = row.model_id, m.family = row.family, m.kind = row.kind,
    m.record = row.record, m.samples = row.samples, m.mase = row.mase,
    m.trained_from = datetime(row.trained_from), m.trained_to = datetime(row.trained_to),
    m.fitted_at = datetime(row.fitted_at), m.refit_after = datetime(row.refit_after)
MERGE (m)-[:MODELS]->(p)
RETURN count(m) AS written
