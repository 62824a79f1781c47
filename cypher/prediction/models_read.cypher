// The stored forecast models of the points $ids (one per point at most), with the record the
// prediction package wrote (JSON text) and when the model is due for a refit.
UNWIND $ids AS id
MATCH (m:ForecastModel {point: id})
RETURN m.point AS point, m.model_id AS model_id, m.family AS family, m.kind AS kind,
       m.record AS record, m.samples AS samples, m.mase AS mase,
       toString(m.trained_from) AS trained_from, toString(m.trained_to) AS trained_to,
       toString(m.fitted_at) AS fitted_at, toString(m.refit_after) AS refit_after
