"""The seam between the engine and the faults: what a fault plan asks of a running EnergyPlus.

The engine gets a handle for every actuator in `FaultHooks.actuators()` once EnergyPlus's API
data is ready, sets what `actuations(now)` returns at the start of each system timestep (None
releases an actuator back to EnergyPlus), and passes every timestep's observed values through
`served(now, values)` before they reach a sink. `now` is the simulated moment as an aware UTC
datetime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ActuatorRef:
    """An EnergyPlus actuator, named as `api.exchange.get_actuator_handle` takes it."""

    component_type: str
    control_type: str
    key: str


class FaultHooks(Protocol):
    def actuators(self) -> Sequence[ActuatorRef]: ...

    def actuations(self, now: datetime) -> Sequence[tuple[ActuatorRef, float | None]]: ...

    def served(self, now: datetime, values: Mapping[str, float]) -> dict[str, float]: ...

    def labels(self) -> list[dict[str, Any]]: ...


class NoFaults:
    """A run without faults: reality as EnergyPlus simulates it."""

    def actuators(self) -> Sequence[ActuatorRef]:
        return ()

    def actuations(self, now: datetime) -> Sequence[tuple[ActuatorRef, float | None]]:
        return ()

    def served(self, now: datetime, values: Mapping[str, float]) -> dict[str, float]:
        return dict(values)

    def labels(self) -> list[dict[str, Any]]:
        return []
