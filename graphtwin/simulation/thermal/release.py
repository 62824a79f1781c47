"""The release response: how a zone's air rises (or falls) once its HVAC stops, beyond what
the 2R2C model says, per watt of load the HVAC was removing; learned from the history's own
HVAC shut-downs.

Why: a trip releases at once the load the HVAC was holding. A grey-box model fitted on weeks
of controlled operation identifies the slow air-mass exchange well but the fast jump of the
air after a release poorly (the data rarely show one), and under-predicts it: a bias that
grows with the released load. Every evening shut-down in the history is such a release.
From each one (the fan running at the step before, off for the next `RELEASE_HORIZON_S`), the
model's free-floating forecast from the observed state is compared with what followed, and
the error at each lead is regressed, through the origin, on the heat the HVAC removed over
the hour before (W; cooling positive): `k(lead)`, K per W. After a trip the prediction adds
`k(lead) * removed`. With fewer than `MIN_RELEASES` shut-downs the response is zero.

>>> r = ReleaseResponse((900.0, 1800.0), (1e-4, 2e-4), 5)
>>> [round(float(x), 2) for x in r.correction(np.array([900.0, 3600.0]), 10_000.0)]
[1.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graphtwin.simulation.thermal.rc import Discrete, simulate

RELEASE_HORIZON_S = 4 * 3600.0
MIN_RELEASES = 3
LOAD_WINDOW_S = 3600.0
"""The removed load is the mean HVAC heat over this long before the release."""

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ReleaseResponse:
    """K per W of removed load, by lead time after the release."""

    lead_s: tuple[float, ...] = ()
    k_per_w: tuple[float, ...] = ()
    releases: int = 0
    """How many shut-downs it was learned from (0: none, no correction)."""

    def correction(self, lead_s: FloatArray, removed_w: float) -> FloatArray:
        """K to add at each lead time (s since the release); held beyond the last lead."""
        if not self.lead_s:
            return np.zeros(np.asarray(lead_s).shape[0])
        x = np.r_[0.0, self.lead_s]
        return np.interp(lead_s, x, np.r_[0.0, self.k_per_w]) * removed_w

    def to_record(self) -> dict[str, Any]:
        return {"lead_s": list(self.lead_s), "k_per_w": list(self.k_per_w), "n": self.releases}

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> ReleaseResponse:
        if not record:
            return cls()
        return cls(
            tuple(float(x) for x in record["lead_s"]),
            tuple(float(x) for x in record["k_per_w"]),
            int(record["n"]),
        )


def removed_load(q_hvac: FloatArray, step_s: float) -> float:
    """Heat (W) the HVAC removed over the last `LOAD_WINDOW_S` of `q_hvac` (cooling > 0)."""
    steps = max(1, round(LOAD_WINDOW_S / step_s))
    tail = q_hvac[-steps:]
    return 0.0 if np.isnan(tail).all() else -float(np.nanmean(tail))


def learn_release(
    d: Discrete,
    mass: FloatArray,
    *,
    t_zone: FloatArray,
    t_out: FloatArray,
    q_hvac: FloatArray,
    gains: FloatArray,
    fan: FloatArray,
) -> ReleaseResponse:
    """The response from every shut-down in the series (see the module doc); `mass` is the
    fitted simulation's mass temperature at each step."""
    step = d.step_s
    horizon = max(1, round(RELEASE_HORIZON_S / step))
    load_steps = max(1, round(LOAD_WINDOW_S / step))
    errors, loads = [], []
    n = t_zone.shape[0]
    for o in range(load_steps, n - horizon):
        ahead = slice(o + 1, o + 1 + horizon)
        if fan[o] != 1.0 or not (fan[ahead] == 0.0).all() or np.isnan(t_zone[o]):
            continue
        removed = removed_load(q_hvac[o - load_steps + 1 : o + 1], step)
        if removed == 0.0:
            continue
        sim = simulate(
            d,
            (t_zone[o], mass[o]),
            t_out=t_out[ahead],
            q_hvac=np.zeros(horizon),
            gains=gains[ahead],
        )
        errors.append(t_zone[ahead] - sim[:, 0])
        loads.append(removed)
    if len(loads) < MIN_RELEASES:
        return ReleaseResponse()
    e = np.array(errors)
    load = np.array(loads)
    known = ~np.isnan(e)
    e = np.where(known, e, 0.0)
    k = (load @ e) / np.maximum((load**2) @ known, 1e-18)
    leads = tuple(float(x) for x in (np.arange(horizon) + 1.0) * step)
    return ReleaseResponse(leads, tuple(float(x) for x in k), len(loads))
