"""Load assimilation: today's gains offset, estimated from the hour just before the start.

The fitted gains profile says what load a zone carries on an average day at this hour; today
it may carry more (a sunny afternoon, a full floor) or less. The HVAC heat measured just
before the start says which: with the observed HVAC heat and outdoor temperature, the model
started from the observed air temperature and the warm-up's mass temperature one
`ASSIMILATION_S` before the start ends off the observed air temperature by an error that is
linear in a constant extra gain. The least-squares extra gain (W, split between air and mass
like the profile's) is the offset: observed minus modelled load, the standard output
correction of a grey-box model predictive controller.

Over the horizon the offset decays as exp(-lead / `OFFSET_DECAY_S`): the causes (sun, people)
persist for a few hours, not for ever. It is clipped to `OFFSET_LIMIT` times the zone's HVAC
capacity so that a bad sample cannot drive the forecast.

>>> from graphtwin.simulation.thermal.rc import RcParameters, discretise, simulate
>>> d = discretise(RcParameters(0.004, 0.0008, 3e6, 6e7, 0.6), 900.0)
>>> truth = simulate(d, (23.0, 23.0), t_out=[30.0] * 5, q_hvac=[-4000.0] * 5, gains=[1500.0] * 5)
>>> delta = gains_offset(d, truth[:, 0], tuple(truth[0]), t_out=np.full(4, 30.0),
...                      q_hvac=np.full(4, -4000.0), gains=np.full(4, 1000.0), limit_w=1e5)
>>> round(delta)  # the profile said 1000 W, the zone carried 1500 W
500
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from graphtwin.simulation.thermal.rc import Discrete, input_response, simulate

ASSIMILATION_S = 3600.0
"""The offset is estimated over the last hour before the start."""
OFFSET_DECAY_S = 4 * 3600.0
"""Time constant of the offset's decay over the horizon (set on the Denver data sets' trips)."""
OFFSET_LIMIT = 1.0
"""|offset| <= this times the larger HVAC capacity."""

FloatArray = NDArray[np.float64]


def gains_offset(
    d: Discrete,
    t_air: FloatArray,
    x0: tuple[float, float],
    *,
    t_out: FloatArray,
    q_hvac: FloatArray,
    gains: FloatArray,
    limit_w: float,
) -> float:
    """The constant extra gain (W) that best explains `t_air[1:]` (observed air temperature at
    the end of each step, NaN: unknown) from the state `x0` at the end of the step before,
    under the observed `t_out` and `q_hvac` and the profile's `gains`; 0 without data."""
    known = ~np.isnan(t_air[1:])
    if not known.any() or np.isnan(x0[0]) or np.isnan(x0[1]):
        return 0.0
    modelled = simulate(d, x0, t_out=t_out, q_hvac=q_hvac, gains=gains)[:, 0]
    unit = input_response(d, 2, np.ones(t_out.shape[0]))
    residual = (t_air[1:] - modelled)[known]
    column = unit[known]
    delta = float(column @ residual / max(float(column @ column), 1e-18))
    return float(np.clip(delta, -limit_w, limit_w))


def offset_over(lead_s: FloatArray, offset_w: float) -> FloatArray:
    """The offset at each lead time (s from the start), decaying (see the module doc)."""
    return offset_w * np.exp(-np.asarray(lead_s, float) / OFFSET_DECAY_S)
