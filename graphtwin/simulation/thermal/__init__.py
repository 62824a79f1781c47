"""Zone thermal models calibrated from history: 2R2C grey-box models, their bands, and the
prediction entry point of what-if runs. Pure code, no database.

Stable interface (the runner and `benchmarks/bench_simulation.py` use exactly this):

```python
from graphtwin.simulation.thermal import (
    NodeInfo, zone_points, zone_series, prior, calibrate, prior_model,
    ZoneModel, FutureInputs, initial_state, predict,
)

points = zone_points(nodes, edges)       # nodes: {twin_id: NodeInfo(kind, brick_class, name,
                                         #   properties)}, edges: [(source, rel_type, target)]
zp = points[zone_id]                     # ZonePoints; zp.point_ids(): what to read from history
frame = history.query(ids, start, end)   # HistoryStore rows
series = zone_series(frame, zp, start, end, step_s=900.0)           # -> ZoneSeries
model = calibrate(series, prior=prior(zp.floor_area_m2, zp.volume_m3, utc_offset_h=0.0),
                  min_days=3.0, stale_after=timedelta(days=7), now=None)  # -> ZoneModel
record = model.to_record(); ZoneModel.from_record(record)   # plain JSON dict round trip
model.model_id, model.calibrated, model.rmse_k, model.samples, model.fitted_from,
model.fitted_to, model.is_stale(now)
state = initial_state(model, series)     # warm-up: mass temperature at series.end
future = FutureInputs.create(start=series.end, step_s=300.0, t_out=t_out_array,
                             hvac_available=True or bool array, heating_sp=..., cooling_sp=...,
                             capacity_factor=1.0, gains_factor=1.0)
p = predict(model, series, future, band_level=0.9, initial=state)   # -> Prediction
p.times (datetime64[s], step ends), p.t_air, p.lower, p.upper (degC), p.q_hvac (W, + heats)
state.gains_offset_w, state.removed_w    # today's load correction, the load a trip releases
model.release, model.deadband_q_w        # learned by calibrate, kept in the record
```

Modules: `points` (which points, from Brick classes and relationships), `series` (history on a
grid, HVAC heat from flows and temperatures), `rc` (the 2R2C model, exact discretisation,
free and controlled simulation), `gains` (hourly weekday/weekend gains profile), `priors`
(parameters from geometry), `calibrate` (least-squares fit), `band` (uncertainty band from
replayed multi-step errors), `release` (the extra rise after the HVAC stops, learned from the
history's shut-downs), `assimilate` (today's gains offset from the last hour),
`zone_model` (the stored model), `predict` (the entry point).
"""

from graphtwin.simulation.thermal.band import ResidualBand
from graphtwin.simulation.thermal.calibrate import calibrate, prior_model
from graphtwin.simulation.thermal.gains import GainProfile
from graphtwin.simulation.thermal.points import NodeInfo, SupplyPoints, ZonePoints, zone_points
from graphtwin.simulation.thermal.predict import (
    FutureInputs,
    InitialState,
    Prediction,
    initial_state,
    predict,
)
from graphtwin.simulation.thermal.priors import Prior, prior
from graphtwin.simulation.thermal.rc import RcParameters
from graphtwin.simulation.thermal.series import ZoneSeries, zone_series
from graphtwin.simulation.thermal.zone_model import ZoneModel

__all__ = [
    "FutureInputs",
    "GainProfile",
    "InitialState",
    "NodeInfo",
    "Prediction",
    "Prior",
    "RcParameters",
    "ResidualBand",
    "SupplyPoints",
    "ZoneModel",
    "ZonePoints",
    "ZoneSeries",
    "calibrate",
    "initial_state",
    "predict",
    "prior",
    "prior_model",
    "zone_points",
    "zone_series",
]
