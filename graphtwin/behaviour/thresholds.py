"""The thresholds the detectors use; the defaults are those the benchmark calibrated on the
recorded EnergyPlus runs (docs/behaviour.md), `calibrate` fits them on other runs' history."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Thresholds:
    stuck_steps: int = 4
    """A flat run this long (an hour at 15 minutes) is stuck, if the point's history and its
    peers move at those hours."""
    stuck_expected_change: float = 4.0
    """... and its relation model expected it to move this many residual scales meanwhile."""
    stuck_history_flat: float = 0.2
    """At most this share of history days may be flat at those hours."""
    noise_ratio: float = 3.0
    """Roughness (mean zigzag over an hour, noise.py) above this many times the point's
    highest on its history window."""
    shift_before: int = 8
    """Steps before a possible shift that the residual's mean is taken over."""
    shift_after: int = 4
    """Steps after it."""
    shift_ratio: float = 1.5
    """A shift of the residual's mean this many times the largest on the history window."""
    min_r2: float = 0.5
    """Only points whose relation model explains this share of their variance (out of sample,
    on the history window) are judged by it."""
    shift_floor: float = 3.0
    """... and at least this many residual scales."""
    profile_tolerance: float = 0.25
    """A setpoint or status off every value its history had at that time of day by more than
    this (its unit, for setpoints; status is 0/1)."""
    status_on_share: float = 0.9
    """A fan off where its history had it on at least this share of such days is flagged."""
    profile_steps: int = 2
    """Steps a profile deviation must last."""
    command_steps: int = 2
    """Steps equipment must ignore its command."""
    swap_gain: float = 0.5
    """Swapped values must fit at most this share of the unswapped error."""
    parent_margin: float = 0.15
    """Another parent must explain a point's history this much better (R^2) to report it."""
    class_distance: float = 4.0
    """A point this many spreads from its class's points in the building, and nearer another
    class, behaves unlike its class."""
    response_ratio: float = 0.2
    """A zone changing less than this share of its siblings after its AHU stops."""


CALIBRATED = Thresholds(
    shift_ratio=10.0,
    shift_floor=20.0,
    noise_ratio=4.5,
    stuck_expected_change=12.0,
    class_distance=16.0,
    parent_margin=0.5,
    swap_gain=0.0875,
)
"""What `graphtwin behaviour detect` runs at: the median over the six held-out folds of the
thresholds `python -m benchmarks drift-behaviour` calibrated (at most 0.1 false alarms per
1,000 point-days per detector on the other buildings' and climates' clean runs; see
docs/behaviour.md). The defaults above are the sensitive base the calibration scales."""
