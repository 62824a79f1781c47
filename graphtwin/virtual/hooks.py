"""The seam between the engine and the faults: what a fault plan asks of a running EnergyPlus.

The engine gets a handle for every actuator in `FaultHooks.actuators()` once EnergyPlus's API
data is ready, sets what `actuations(now)` returns at the start of each system timestep (None
releases an actuator back to EnergyPlus), and passes every timestep's observed values through
`served(now, values)` before they reach a sink. `now` is the simulated moment as an aware UTC
datetime.

The engine sets the actuations a second time in the same system timestep, after EnergyPlus's
HVAC managers (`callback_after_predictor_after_hvac_managers`): the setpoint and availability
managers run after the start of the timestep and overwrite node setpoints (`System Node
Setpoint`) and air-loop availability (`AirLoopHVAC` / `Availability Status`), so a value set
only at the start never reaches those components (checked on the ASHRAE medium office).
`actuations(now)` may therefore be called twice for one `now`; calling it again must be
harmless (the same values again, and no release twice).
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
