"""Sensor faults: what they do to the values a virtual building serves.

Each effect changes its points' values in the dictionary being served, in the order of the
faults file, so two faults on one point compose (an offset on a drifting sensor). EnergyPlus
never sees them: the building runs as it is, only what the twin is told is wrong.

>>> stuck = StuckAt("p")
>>> stuck.before({"p": 21.5})
>>> served = {"p": 23.0}; stuck.apply(T0, T0, served); served
{'p': 21.5}
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

T0 = datetime(2025, 7, 1, tzinfo=UTC)


class SensorEffect(Protocol):
    def before(self, served: dict[str, float]) -> None:
        """See a timestep served before the fault starts (a stuck sensor keeps the last)."""

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        """Change `served` as the fault, active since `start`, makes it look at `now`."""


class _Unchanged:
    def before(self, served: dict[str, float]) -> None:
        """Most faults need nothing from before they start."""


@dataclass(slots=True)
class StuckAt:
    """The point keeps `value`; without one, the value it had when the fault started (the last
    served before it, or the first of the fault when none was)."""

    point: str
    value: float | None = None
    _last: float | None = field(default=None, repr=False)

    def before(self, served: dict[str, float]) -> None:
        if self.point in served:
            self._last = served[self.point]

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        if self.point not in served:
            return
        if self.value is None:
            self.value = self._last if self._last is not None else served[self.point]
        served[self.point] = self.value


@dataclass(frozen=True, slots=True)
class Offset(_Unchanged):
    point: str
    offset: float

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        if self.point in served:
            served[self.point] += self.offset


@dataclass(frozen=True, slots=True)
class Drift(_Unchanged):
    """Off by `rate_per_hour` times the hours since the fault started."""

    point: str
    rate_per_hour: float

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        if self.point in served:
            served[self.point] += self.rate_per_hour * (now - start).total_seconds() / 3600.0


@dataclass(slots=True)
class Noise(_Unchanged):
    """Gaussian noise with standard deviation `sigma`, from its own seeded generator: the same
    seed and the same samples give the same noise."""

    point: str
    sigma: float
    seed: int | str
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        if self.point in served:
            served[self.point] += self._rng.gauss(0.0, self.sigma)


@dataclass(frozen=True, slots=True)
class Swap(_Unchanged):
    """Two points' values exchanged (crossed wiring)."""

    first: str
    second: str

    def apply(self, now: datetime, start: datetime, served: dict[str, float]) -> None:
        if self.first in served and self.second in served:
            served[self.first], served[self.second] = served[self.second], served[self.first]
