"""The forecasting model: a day-type seasonal profile plus a short-memory residual correction,
with intervals from the empirical quantiles of its own h-step errors. Vectorised over many
series on one grid (rows of a 2-D array), so a building's points are fitted in one pass.

For a target time t (slot s of its local day, day type d: working day, Saturday or Sunday):

- **profile** P(t): the exponentially weighted mean (weight `decay ** j` for the j-th most
  recent) of the values at slot s on the previous days of type d within `lookback_days`, using
  only values known at the forecast origin. With no such day, the previous days of any type.
  This is seasonal exponential smoothing per slot, run separately for each day type, so Monday
  is forecast from Friday, not from Sunday.
- **correction**: at origin o the latest residual r(o) = y(o) - P(o) and its last change
  r(o) - r(o-1) carry what the profile misses today (weather, a fault starting): the forecast
  for lead h adds a(h) r(o) + b(h) (r(o) - r(o-1)), with a(h), b(h) fitted per lead by ridge
  least squares on the calibration window (direct multi-step regression, so they decay with
  the lead as the residual's memory does; beyond a day they are 0).
- **intervals**: the quantiles (2.5, 5, 10, 90, 95, 97.5 %) of the h-step errors of exactly
  this forecast on the calibration window, where every profile used only earlier days: split
  conformal intervals, per lead, asymmetric.

Coefficients and quantiles are fitted at a few leads (`fit_leads`) and interpolated between.

>>> import numpy as np
>>> day = np.sin(np.arange(96) / 96 * 2 * np.pi)
>>> values = np.tile(day, 14)[None, :] + 20.0
>>> grid = Grid(start_ns=0, step_ns=900 * 10**9)
>>> params = fit_rows(values, grid, Settings())
>>> mean, _ = forecast_rows(values, grid, params, Settings(), horizon_steps=4)
>>> np.allclose(mean[0], 20.0 + day[:4], atol=1e-6)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY_NS = 86_400 * 10**9
LEVELS = (0.025, 0.05, 0.1, 0.9, 0.95, 0.975)
"""The quantiles kept: the 95%, 90% and 80% central intervals."""
FEATURES = ("level", "slope")
"""The correction's inputs: the residual at the origin and its last change."""
_BASE_LEADS = (1, 2, 4, 8, 16, 32, 64, 96)
"""Leads (in 15-minute steps) the coefficients and quantiles are fitted at; scaled to the step."""


@dataclass(frozen=True, slots=True)
class Grid:
    """A regular grid: time i is `start_ns + i * step_ns` (Unix ns, UTC); local days begin at
    UTC midnight plus `offset_ns` (the building's UTC offset, e.g. -6 h)."""

    start_ns: int
    step_ns: int
    offset_ns: int = 0

    @property
    def season(self) -> int:
        """Steps per day."""
        return DAY_NS // self.step_ns

    def blocks(self, index: np.ndarray, count: int) -> np.ndarray:
        """The local time-of-day block (0..count-1) of each step (stamped at its end)."""
        local = self.start_ns + np.asarray(index, dtype=np.int64) * self.step_ns + self.offset_ns
        return (((local - 1) % DAY_NS) * count // DAY_NS).astype(np.int64)

    def day_types(self, index: np.ndarray, split: bool) -> np.ndarray:
        """0 working day, 1 Saturday, 2 Sunday (all 0 when not `split`)."""
        if not split:
            return np.zeros(np.shape(index), dtype=np.int8)
        local = self.start_ns + np.asarray(index, dtype=np.int64) * self.step_ns + self.offset_ns
        # the step ending at local midnight belongs to the day before
        weekday = ((local - 1) // DAY_NS + 3) % 7  # 1970-01-01 was a Thursday (3)
        return np.clip(weekday - 4, 0, 2).astype(np.int8)


@dataclass(frozen=True, slots=True)
class Settings:
    """The model's settings (the defaults were chosen on the office_medium Denver runs)."""

    day_types: bool = True
    lookback_days: int = 21
    decay: float = 0.5
    calibration_days: int = 10
    blocks: int = 1
    """Blocks of the target's time of day to fit the correction and the intervals per (8: 3 h
    each). One: on the tuning runs 8 blocks bettered the 1-hour MASE by 5% but the 90%
    interval covered only 84-87% (fewer errors per quantile) and false warnings did not fall."""
    correction: bool = True
    ridge: float = 1e-3
    clip: tuple[float | None, float | None] = (None, None)


@dataclass(slots=True)
class RowParams:
    """Fitted per row: coefficients and error quantiles at `leads` (steps)."""

    leads: np.ndarray
    coef: np.ndarray  # (n, len(FEATURES), blocks, L)
    quantiles: np.ndarray  # (n, len(LEVELS), blocks, L)
    mase: dict[int, np.ndarray] = field(default_factory=dict)  # lead -> (n,)

    def tables(self, max_lead: int) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (n, F, blocks, max_lead + 1) and quantiles (n, len(LEVELS), blocks,
        max_lead + 1) at every lead 0..max_lead (beyond the last fitted lead: quantiles held,
        coefficients 0)."""
        wanted = np.arange(max_lead + 1)
        fitted = self.coef.shape[-1]
        coef = _interp_rows(self.leads, self.coef.reshape(-1, fitted), wanted, hold=False)
        quantiles = _interp_rows(self.leads, self.quantiles.reshape(-1, fitted), wanted, hold=True)
        return (
            coef.reshape(*self.coef.shape[:-1], wanted.size),
            quantiles.reshape(*self.quantiles.shape[:-1], wanted.size),
        )


def fit_leads(season: int) -> np.ndarray:
    """The leads fitted for a grid with `season` steps per day."""
    scaled = np.rint(np.asarray(_BASE_LEADS) * season / 96).astype(np.int64)
    return np.unique(np.clip(scaled, 1, season))


def profile_rows(
    values: np.ndarray,
    grid: Grid,
    targets: np.ndarray,
    min_days: np.ndarray | int,
    settings: Settings,
) -> np.ndarray:
    """P(t) for each target index (may lie past the end), from values at the same slot
    `min_days`..`lookback_days` days earlier (known at the origin), same day type first.

    The j-th most recent day of the target's type weighs `decay ** j` (a missing value drops
    out and the others are renormalised); a target with no earlier day of its type on the grid
    takes the earlier days of any type."""
    n, size = values.shape
    m = grid.season
    targets = np.asarray(targets, dtype=np.int64)
    min_days = np.broadcast_to(np.asarray(min_days, dtype=np.int64), targets.shape)
    days = np.arange(1, settings.lookback_days + 1)
    sources = targets[None, :] - days[:, None] * m  # (K, H)
    usable = (sources >= 0) & (sources < size) & (days[:, None] >= min_days[None, :])
    target_type = grid.day_types(targets, settings.day_types)
    same = usable & (grid.day_types(sources, settings.day_types) == target_type[None, :])
    # columns with no earlier day of their type fall back to every usable day
    chosen = np.where(same.any(axis=0)[None, :], same, usable)
    rank = np.cumsum(chosen, axis=0) - 1
    weights = np.where(chosen, settings.decay ** np.maximum(rank, 0), 0.0)  # (K, H)
    acc = np.zeros((n, targets.size))
    total = np.zeros((n, targets.size))
    for k in range(days.size):
        if not chosen[k].any():
            continue
        picked = values[:, np.clip(sources[k], 0, size - 1)]
        ok = np.isfinite(picked)
        w = np.where(ok, weights[k][None, :], 0.0)
        acc += w * np.where(ok, picked, 0.0)
        total += w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, acc / total, np.nan)


def fit_rows(values: np.ndarray, grid: Grid, settings: Settings) -> RowParams:
    """Fit the correction and the error quantiles of each row on its last `calibration_days`."""
    n, size = values.shape
    m = grid.season
    leads = fit_leads(m)
    window = min(size, settings.calibration_days * m + 1)
    first = size - window
    base = max(first - m, 0)  # a day before the window: the naive forecast's values
    index = np.arange(base, size)
    profile = profile_rows(values, grid, index, 1, settings)
    residual = values[:, base:] - profile
    blocks = settings.blocks
    coef = np.zeros((n, len(FEATURES), blocks, leads.size))
    quantiles = np.full((n, len(LEVELS), blocks, leads.size), np.nan)
    pooled = np.full((n, len(LEVELS), leads.size), np.nan)
    mase: dict[int, np.ndarray] = {}
    for j, h in enumerate(leads):
        lag = max(1, -(-int(h) // m)) * m  # the naive forecast's source, a day before the target
        origins = np.arange(max(first, base + lag - h, base + 1), size - h)
        if origins.size < 2:
            continue
        o = origins - base
        x = [residual[:, o], residual[:, o] - residual[:, o - 1]]
        y = residual[:, o + h]
        ok = np.isfinite(y) & np.isfinite(x[0]) & np.isfinite(x[1])
        x = [np.where(ok, f, 0.0) for f in x]
        y = np.where(ok, y, 0.0)
        block = grid.blocks(origins + h, blocks)
        error = np.full(y.shape, np.nan)
        for b in range(blocks):
            cols = np.flatnonzero(block == b)
            if cols.size == 0:
                continue
            xb, yb, okb = [f[:, cols] for f in x], y[:, cols], ok[:, cols]
            if settings.correction:
                coef[:, :, b, j] = _ridge(xb, yb, okb, settings.ridge)
            fitted = sum(coef[:, f, b, j : j + 1] * xb[f] for f in range(len(xb)))
            error[:, cols] = np.where(okb, yb - fitted, np.nan)
            quantiles[:, :, b, j] = _row_quantiles(error[:, cols], LEVELS)
        pooled[:, :, j] = _row_quantiles(error, LEVELS)
        if h in (max(1, m // 24), m):  # the backtest score's leads: an hour and a day
            naive = np.abs(values[:, origins + h] - values[:, origins + h - lag])
            with np.errstate(invalid="ignore", divide="ignore"):
                mase[int(h)] = np.nansum(np.abs(error), axis=1) / np.where(ok, naive, 0.0).sum(1)
    # a block or lead with too few errors borrows the block-pooled quantiles, then the nearest
    # fitted lead's
    pooled = _fill_along_last(pooled)
    quantiles = np.where(np.isfinite(quantiles), quantiles, pooled[:, :, None, :])
    return RowParams(leads, coef, quantiles, mase)


def fit_naive_rows(values: np.ndarray, grid: Grid, settings: Settings) -> RowParams:
    """The seasonal naive forecast's parameters: no correction, the quantiles of its errors
    (the value minus the value one day earlier) on the calibration window, at every lead."""
    n, size = values.shape
    m = grid.season
    leads = fit_leads(m)
    first = max(size - settings.calibration_days * m - 1, 0)
    error = (values - _shift(values, m))[:, first:]
    table = _row_quantiles(np.where(np.isfinite(error), error, np.nan), LEVELS)
    shape = (n, len(LEVELS), settings.blocks, leads.size)
    quantiles = np.broadcast_to(np.nan_to_num(table)[:, :, None, None], shape).copy()
    zeros = np.zeros((n, len(FEATURES), settings.blocks, leads.size))
    ones = np.where(np.isfinite(table[:, 0]), 1.0, np.nan)
    return RowParams(leads, zeros, quantiles, {int(m): ones, int(leads[3]): ones})


def forecast_rows(
    values: np.ndarray,
    grid: Grid,
    params: RowParams,
    settings: Settings,
    *,
    horizon_steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean (n, H) and quantiles (n, len(LEVELS), H) for the H steps after the last one."""
    size = values.shape[1]
    origin = size - 1
    leads = np.arange(1, horizon_steps + 1)
    return rolling_rows(values, grid, params, settings, np.array([origin]), leads)


def rolling_rows(
    values: np.ndarray,
    grid: Grid,
    params: RowParams,
    settings: Settings,
    origins: np.ndarray,
    leads: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts from several origins (indexes) at several leads, each using only the values up
    to its origin. Returns mean (n, O*L) and quantiles (n, len(LEVELS), O*L), origin-major."""
    n = values.shape[0]
    m = grid.season
    origins = np.asarray(origins, dtype=np.int64)
    leads = np.asarray(leads, dtype=np.int64)
    max_lead = int(leads.max()) + m
    coef_t, quant_t = params.tables(max_lead)
    # the latest residual at or before each origin (a gap at the origin lengthens the lead)
    first = max(int(origins.min()) - m + 1, 0)
    span = np.arange(first, int(origins.max()) + 1)
    known = values[:, span] - profile_rows(values, grid, span, 1, settings)
    back = np.arange(0, m)
    look = origins[:, None] - back[None, :]  # (O, m)
    resid = known[:, np.clip(look - first, 0, span.size - 1)]  # (n, O, m)
    resid = np.where((look >= first)[None], resid, np.nan)
    finite = np.isfinite(resid)
    has = finite.any(axis=2)
    age = np.argmax(finite, axis=2)  # steps since the latest residual
    latest = np.take_along_axis(resid, age[..., None], axis=2)[..., 0]
    before = np.take_along_axis(resid, np.minimum(age + 1, m - 1)[..., None], axis=2)[..., 0]
    slope = np.where(np.isfinite(before), latest - before, 0.0)
    latest = np.where(has, latest, 0.0)
    slope = np.where(has, slope, 0.0)
    means, quants = [], []
    rows = np.arange(n)[:, None]
    for h in leads:
        targets = origins + h
        min_days = max(1, -(-int(h) // m))
        base = profile_rows(values, grid, targets, min_days, settings)  # (n, O)
        lead = np.minimum(h + age, max_lead)  # (n, O)
        block = grid.blocks(targets, settings.blocks)[None, :]
        mean = base
        for f, x in enumerate((latest, slope)):
            mean = mean + coef_t[rows, f, block, lead] * x
        q = np.stack([quant_t[rows, i, block, lead] for i in range(len(LEVELS))], 1)
        means.append(mean)
        quants.append(mean[:, None, :] + q)
    mean = np.stack(means, axis=2).reshape(n, -1)  # (n, O, L) -> origin-major
    quant = np.stack(quants, axis=3).reshape(n, len(LEVELS), -1)
    low, high = settings.clip
    if low is not None or high is not None:
        mean = np.clip(mean, low, high)
        quant = np.clip(quant, low, high)
    return mean, quant


def seasonal_naive_rows(
    values: np.ndarray, grid: Grid, origins: np.ndarray, leads: np.ndarray
) -> np.ndarray:
    """The value one day (or whole days) before each target, known at the origin: (n, O*L)."""
    size = values.shape[1]
    m = grid.season
    out = []
    for origin in np.asarray(origins):
        row = []
        for h in np.asarray(leads):
            source = int(origin + h - max(1, -(-int(h) // m)) * m)
            row.append(
                values[:, source] if 0 <= source < size else np.full(values.shape[0], np.nan)
            )
        out.append(np.stack(row, axis=1))
    return np.concatenate(out, axis=1) if out else np.empty((values.shape[0], 0))


def _shift(values: np.ndarray, steps: int) -> np.ndarray:
    out = np.full_like(values, np.nan)
    if steps < values.shape[1]:
        out[:, steps:] = values[:, :-steps]
    return out


def _ridge(x: list[np.ndarray], y: np.ndarray, ok: np.ndarray, ridge: float) -> np.ndarray:
    """Per row, least squares y ~ sum_f coef_f x_f (no intercept; x and y zero where not
    `ok`) with a small ridge relative to the features' scale. Under 8 usable pairs: 0."""
    features = len(x)
    gram = np.empty((y.shape[0], features, features))
    for f in range(features):
        for g in range(f, features):
            gram[:, f, g] = gram[:, g, f] = np.einsum("no,no->n", x[f], x[g])
    rhs = np.stack([np.einsum("no,no->n", x[f], y) for f in range(features)], axis=1)
    scale = np.trace(gram, axis1=1, axis2=2)[:, None, None] / features
    gram = gram + (ridge * scale + 1e-12) * np.eye(features)[None]
    coef = np.linalg.solve(gram, rhs[..., None])[..., 0]
    return np.where((ok.sum(1) >= 8)[:, None], coef, 0.0)


def _row_quantiles(errors: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """Per row quantiles ignoring NaN (sorted once; linear interpolation): (n, len(levels))."""
    ordered = np.sort(errors, axis=1)  # NaN last
    count = np.isfinite(ordered).sum(1)
    out = np.full((errors.shape[0], len(levels)), np.nan)
    some = count > 0
    for i, q in enumerate(levels):
        pos = q * np.maximum(count - 1, 0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = pos - lo
        vlo = np.take_along_axis(ordered, lo[:, None], 1)[:, 0]
        vhi = np.take_along_axis(ordered, hi[:, None], 1)[:, 0]
        out[:, i] = np.where(some, vlo + frac * (vhi - vlo), np.nan)
    return out


def _fill_along_last(table: np.ndarray) -> np.ndarray:
    """NaN entries take the nearest finite entry along the last axis (0 when none)."""
    flat = table.reshape(-1, table.shape[-1]).copy()
    for row in flat:
        ok = np.isfinite(row)
        if ok.all():
            continue
        if not ok.any():
            row[:] = 0.0
            continue
        where = np.flatnonzero(ok)
        nearest = where[np.abs(np.arange(row.size)[:, None] - where[None, :]).argmin(1)]
        row[:] = row[nearest]
    return flat.reshape(table.shape)


def _interp_rows(x: np.ndarray, table: np.ndarray, wanted: np.ndarray, *, hold: bool) -> np.ndarray:
    """Linear interpolation of each row of `table` (given at `x`) at `wanted`."""
    pos = np.clip(np.searchsorted(x, wanted, side="right") - 1, 0, x.size - 1)
    nxt = np.minimum(pos + 1, x.size - 1)
    span = np.where(nxt > pos, x[nxt] - x[pos], 1)
    frac = np.clip((wanted - x[pos]) / span, 0.0, 1.0)
    out = table[:, pos] + frac * (table[:, nxt] - table[:, pos])
    below = wanted < x[0]
    out[:, below] = table[:, :1] if hold else 0.0
    if not hold:
        out[:, wanted > x[-1]] = 0.0
    return out
