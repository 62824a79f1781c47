"""Synthetic series for the prediction tests (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

STEP = timedelta(minutes=15)
DAY = 96
START = np.datetime64("2025-07-07T00:15")  # a Monday, UTC


def grid_times(steps: int, start: np.datetime64 = START) -> np.ndarray:
    return start + np.arange(steps) * np.timedelta64(15, "m")


def daily_with_noise(days: int, *, sigma: float, seed: int, phi: float = 0.0) -> np.ndarray:
    """22 degC with a 2 K daily swing plus AR(1) noise of innovation `sigma`."""
    rng = np.random.default_rng(seed)
    steps = days * DAY
    shocks = rng.normal(0.0, sigma, steps)
    noise = np.empty(steps)
    noise[0] = shocks[0]
    for i in range(1, steps):
        noise[i] = phi * noise[i - 1] + shocks[i]
    return 22.0 + 2.0 * np.sin(np.arange(steps) / DAY * 2 * np.pi) + noise


def at_step(index: int) -> datetime:
    """The UTC time of grid step `index`."""
    return datetime(2025, 7, 7, 0, 15, tzinfo=UTC) + STEP * index
