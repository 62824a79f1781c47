"""The 2R2C grey-box zone model: an air node and a thermal-mass node.

```
            R_ao                  R_am
  T_out ---/\\/\\--- T_air ---/\\/\\--- T_mass
                     |                |
                   C_air            C_mass
          q_hvac + f*gains      (1-f)*gains
```

- `C_air` is the zone air with its furnishings (rho*cp*V times a factor), `C_mass` the
  structure that exchanges heat with the air through `R_am`; `R_ao` joins the air to outdoors
  (envelope conduction and infiltration together).
- `q_hvac` (W, heat delivered to the air; negative: cooling) is what the HVAC supplies:
  sum over supplies of m*cp*(T_supply - T_air) plus reheat. Internal and solar gains (W) are
  not observed by a building management system; they come from a fitted time-of-day profile
  (see `gains.py`); a fraction `f` reaches the air directly (convective), the rest the mass
  (radiant and solar, absorbed by surfaces).

The continuous model `dx/dt = A x + B u`, x = (T_air, T_mass), u = (T_out, q_hvac, gains), is
discretised exactly for piecewise-constant inputs (zero-order hold) with `scipy.linalg.expm`
of the augmented matrix, so any step works. Samples follow the history's convention: value k
is the state at the end of step k, and the inputs of step k act over that step.

>>> p = RcParameters(r_ao=0.01, r_am=0.002, c_air=2e6, c_mass=5e7, air_gain_fraction=0.6)
>>> d = discretise(p, 300.0)
>>> t = simulate(d, (22.0, 22.0), t_out=[30.0] * 12, q_hvac=[0.0] * 12, gains=[0.0] * 12)
>>> bool(t[-1, 0] > 22.0)  # free-floating toward a hot outdoors
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import scipy.linalg
import scipy.signal
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RcParameters:
    """Physical parameters of one zone (SI units)."""

    r_ao: float
    """K/W between the air and outdoors (envelope and infiltration)."""
    r_am: float
    """K/W between the air and the thermal mass."""
    c_air: float
    """J/K of the air node (air and furnishings)."""
    c_mass: float
    """J/K of the mass node (walls, floors, ceilings)."""
    air_gain_fraction: float
    """Share of the internal/solar gains that heats the air directly (the rest: the mass)."""

    def to_record(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_record(cls, record: dict[str, float]) -> RcParameters:
        return cls(**{k: float(record[k]) for k in cls.__dataclass_fields__})

    @property
    def time_constants_s(self) -> tuple[float, float]:
        """The two time constants (s), fast first: air, then mass."""
        eig = np.linalg.eigvals(continuous_matrices(self)[0])
        fast, slow = sorted(-1.0 / eig.real)
        return float(fast), float(slow)


@dataclass(frozen=True, slots=True)
class Discrete:
    """The model discretised at one step: x[k] = ad @ x[k-1] + bd @ u[k]."""

    ad: FloatArray
    """2x2."""
    bd: FloatArray
    """2x3, columns: T_out, q_hvac, gains."""
    step_s: float


def continuous_matrices(p: RcParameters) -> tuple[FloatArray, FloatArray]:
    """A (2x2) and B (2x3; inputs T_out, q_hvac, gains) of dx/dt = A x + B u."""
    g_ao, g_am = 1.0 / p.r_ao, 1.0 / p.r_am
    a = np.array(
        [
            [-(g_ao + g_am) / p.c_air, g_am / p.c_air],
            [g_am / p.c_mass, -g_am / p.c_mass],
        ]
    )
    f = p.air_gain_fraction
    b = np.array(
        [
            [g_ao / p.c_air, 1.0 / p.c_air, f / p.c_air],
            [0.0, 0.0, (1.0 - f) / p.c_mass],
        ]
    )
    return a, b


def discretise(p: RcParameters, step_s: float) -> Discrete:
    """Exact zero-order-hold discretisation (matrix exponential of [[A, B], [0, 0]] * step)."""
    return _discretise(p, float(step_s))


@lru_cache(maxsize=4096)
def _discretise(p: RcParameters, step_s: float) -> Discrete:
    a, b = continuous_matrices(p)
    m = np.zeros((5, 5))
    m[:2, :2] = a * step_s
    m[:2, 2:] = b * step_s
    e = scipy.linalg.expm(m)
    return Discrete(ad=e[:2, :2].copy(), bd=e[:2, 2:].copy(), step_s=step_s)


def simulate(
    d: Discrete,
    x0: Sequence[float],
    *,
    t_out: ArrayLike,
    q_hvac: ArrayLike,
    gains: ArrayLike,
) -> FloatArray:
    """States (n x 2: T_air, T_mass) at the end of each step, with the HVAC heat given
    (free-floating: q_hvac = 0). Vectorised through a linear filter, so long series are fast."""
    u = np.column_stack(
        [np.asarray(t_out, float), np.asarray(q_hvac, float), np.asarray(gains, float)]
    )
    return _run(d, np.asarray(x0, float), u @ d.bd.T)


def _run(d: Discrete, x0: FloatArray, drive: FloatArray) -> FloatArray:
    """x[k] = ad x[k-1] + drive[k], from x[-1] = x0."""
    a00, a01, a10, a11 = (float(v) for v in d.ad.ravel())
    x_a, x_m = float(x0[0]), float(x0[1])
    out = []
    for w_a, w_m in drive.tolist():  # plain floats: numpy scalars cost more per step
        x_a, x_m = a00 * x_a + a01 * x_m + w_a, a10 * x_a + a11 * x_m + w_m
        out.append((x_a, x_m))
    return np.array(out, float).reshape(-1, 2)


def input_response(d: Discrete, channel: int, u: ArrayLike) -> FloatArray:
    """T_air response, from a zero state, to input `channel` (0: T_out, 1: q_hvac, 2: gains)
    given as `u` (n, or n x m for m series at once). Linear filtering (`scipy.signal.lfilter`)
    of the model's transfer function, so the calibration builds its linear part fast."""
    # x[k] = ad x[k-1] + w[k]  =>  X_air = ((1 - a11 z^-1) W_air + a01 z^-1 W_mass) / det
    den = _denominator(d)
    b_air, b_mass = d.bd[0, channel], d.bd[1, channel]
    num = np.array([b_air, -d.ad[1, 1] * b_air + d.ad[0, 1] * b_mass, 0.0])
    return scipy.signal.lfilter(num, den, np.asarray(u, float), axis=0)


def initial_responses(d: Discrete, n: int) -> FloatArray:
    """T_air (n x 2) at the end of steps 1..n from a unit initial air state and a unit
    initial mass state, with no input (the first step's drive is ad @ x0)."""
    den, impulse = _denominator(d), np.zeros(n)
    impulse[0] = 1.0
    out = np.empty((n, 2))
    for j in range(2):
        w_air, w_mass = d.ad[0, j], d.ad[1, j]
        num = np.array([w_air, -d.ad[1, 1] * w_air + d.ad[0, 1] * w_mass, 0.0])
        out[:, j] = scipy.signal.lfilter(num, den, impulse)
    return out


def _denominator(d: Discrete) -> FloatArray:
    return np.array([1.0, -(d.ad[0, 0] + d.ad[1, 1]), float(np.linalg.det(d.ad))])


def steady_state(p: RcParameters, t_out: float, q_hvac: float, gains: float) -> tuple[float, float]:
    """The equilibrium (T_air, T_mass) under constant inputs."""
    a, b = continuous_matrices(p)
    x = np.linalg.solve(a, -b @ np.array([t_out, q_hvac, gains]))
    return float(x[0]), float(x[1])


@dataclass(frozen=True, slots=True)
class Controlled:
    """A controlled simulation: the states and the HVAC heat (W, mean over each step)."""

    t_air: FloatArray
    t_mass: FloatArray
    q_hvac: FloatArray


def simulate_controlled(
    d: Discrete,
    x0: Sequence[float],
    *,
    t_out: ArrayLike,
    gains: ArrayLike,
    heating_sp: ArrayLike,
    cooling_sp: ArrayLike,
    available: ArrayLike,
    heat_capacity_w: ArrayLike,
    cool_capacity_w: ArrayLike,
    deadband_q_w: float = 0.0,
) -> Controlled:
    """HVAC holds T_air between the heating and the cooling setpoints, up to its capacity.

    Each step the response with the dead-band heat `deadband_q_w` is computed (a VAV box at its
    minimum airflow of cold air: negative; 0: the HVAC closes); if the air would end above the
    cooling setpoint, the cooling that brings it exactly to the setpoint is applied (clipped to
    the capacity), and likewise the heating (reheat, counteracting the minimum cooling) below
    the heating setpoint; in between q is the dead-band heat. Where `available` is False (after
    a trip) q = 0: the zone free-floats. A NaN setpoint means no limit on that side.
    Capacities are per step (an airflow factor scales them).
    """
    t_out = np.asarray(t_out, float)
    n = t_out.shape[0]
    gains = np.asarray(gains, float)
    free = (np.column_stack([t_out, np.zeros(n), gains]) @ d.bd.T).tolist()
    # plain Python floats in the loop: numpy scalars cost several times more per step
    heat = np.broadcast_to(np.asarray(heating_sp, float), (n,)).tolist()
    cool = np.broadcast_to(np.asarray(cooling_sp, float), (n,)).tolist()
    avail = np.broadcast_to(np.asarray(available, bool), (n,)).tolist()
    cap_h = np.broadcast_to(np.asarray(heat_capacity_w, float), (n,)).tolist()
    cap_c = np.broadcast_to(np.asarray(cool_capacity_w, float), (n,)).tolist()
    a00, a01, a10, a11 = (float(v) for v in d.ad.ravel())
    bq_a, bq_m = float(d.bd[0, 1]), float(d.bd[1, 1])
    q0 = float(deadband_q_w)
    t_air, t_mass, q = [0.0] * n, [0.0] * n, [0.0] * n
    x_a, x_m = float(x0[0]), float(x0[1])
    for k in range(n):
        f_a = a00 * x_a + a01 * x_m + free[k][0]
        f_m = a10 * x_a + a11 * x_m + free[k][1]
        qk = 0.0
        if avail[k]:
            qk = q0
            end = f_a + bq_a * q0
            if end > cool[k]:  # NaN compares False: no limit
                qk = max((cool[k] - f_a) / bq_a, -cap_c[k])
            elif end < heat[k]:
                qk = min((heat[k] - f_a) / bq_a, cap_h[k])
        x_a = f_a + bq_a * qk
        x_m = f_m + bq_m * qk
        t_air[k] = x_a
        t_mass[k] = x_m
        q[k] = qk
    return Controlled(t_air=np.array(t_air), t_mass=np.array(t_mass), q_hvac=np.array(q))
