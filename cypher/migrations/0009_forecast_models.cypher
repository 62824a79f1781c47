// Migration 9: per-point forecast models (graphtwin forecast fit, docs/prediction.md). A point
// has at most one stored model (a refit replaces it); `refit_after` is indexed so the points
// whose model is due are found without reading every model. Not a Twin node.
CREATE CONSTRAINT forecast_model_point_unique IF NOT EXISTS
FOR (m:ForecastModel) REQUIRE m.point IS UNIQUE;

CREATE INDEX forecast_model_refit_after IF NOT EXISTS
FOR (m:ForecastModel) ON (m.refit_after);
