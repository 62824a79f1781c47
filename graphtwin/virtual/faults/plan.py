"""A loaded faults file as the engine uses it: the `FaultHooks` of graphtwin/virtual/hooks.py.

A fault acts from its start to its end, both aware UTC times like the engine's `now`, which
stamps each EnergyPlus timestep with its end: a fault from 10:00 to 14:00 acts on the timesteps
stamped 10:15 to 14:00 (with 15-minute timesteps), which simulate 10:00 to 14:00. Equipment
faults hand their actuator values to the engine while active and release each actuator once
(value None) when no active fault holds it any more; sensor faults change what is served;
mislabels change neither (see `apply_mislabels`).

>>> plan = FaultPlan([fault])  # doctest: +SKIP
>>> plan.actuations(fault.start + timedelta(minutes=15))  # doctest: +SKIP
[(ActuatorRef(component_type='Fan', control_type='Fan Air Mass Flow Rate', key='AHU-1 Fan'), 0.0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphtwin.errors import SourceLocation
from graphtwin.virtual.faults.sensors import SensorEffect
from graphtwin.virtual.hooks import ActuatorRef


@dataclass(frozen=True, slots=True)
class Mislabeling:
    """What the twin says wrongly about one point, next to the truth."""

    point: str
    true_brick_class: str
    brick_class: str | None
    true_parent: str
    parent: str | None


@dataclass(slots=True)
class PlannedFault:
    """One entry of a faults file, resolved against the model and the run."""

    id: str
    type: str
    targets: tuple[str, ...]
    """Twin ids of what the entry names."""
    start: datetime
    end: datetime
    parameters: dict[str, Any]
    affected: tuple[str, ...]
    """Twin ids of everything the fault changes: the targets, and for equipment the AHU, the
    terminals and zones it serves and the points of all of them."""
    settings: tuple[tuple[ActuatorRef, float], ...] = ()
    sensors: tuple[SensorEffect, ...] = ()
    mislabels: tuple[Mislabeling, ...] = ()
    location: SourceLocation | None = None
    note: str | None = None

    def active(self, now: datetime) -> bool:
        """Whether the fault acts on the timestep EnergyPlus stamps `now`: a timestep is stamped
        with its end, so those ending after the start and no later than the end, which together
        are [start, end)."""
        return self.start < now <= self.end

    @property
    def acts_on(self) -> str:
        """Where the fault acts: `energyplus` (actuators), `served` (values) or `twin` (labels)."""
        if self.settings:
            return "energyplus"
        return "served" if self.sensors else "twin"

    def label(self) -> dict[str, Any]:
        """The fault as the labels file writes it (JSON-ready)."""
        return {
            "id": self.id,
            "type": self.type,
            "acts_on": self.acts_on,
            "targets": list(self.targets),
            "affected": list(self.affected),
            "start": utc_text(self.start),
            "end": utc_text(self.end),
            "parameters": dict(self.parameters),
            "actuators": [
                {
                    "component_type": ref.component_type,
                    "control_type": ref.control_type,
                    "key": ref.key,
                    "value": value,
                }
                for ref, value in self.settings
            ],
            **({"note": self.note} if self.note else {}),
        }


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z: `2025-07-09T17:00:00Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FaultPlan:
    """The faults of one run. Implements `graphtwin.virtual.hooks.FaultHooks`; it keeps state
    (which actuators are held, a stuck sensor's value, noise generators), so one plan serves
    one run."""

    faults: list[PlannedFault]
    _held: set[ActuatorRef] = field(default_factory=set, init=False, repr=False)

    def actuators(self) -> Sequence[ActuatorRef]:
        """Every actuator any fault sets, each once, in the file's order."""
        return list(dict.fromkeys(ref for f in self.faults for ref, _ in f.settings))

    def actuations(self, now: datetime) -> Sequence[tuple[ActuatorRef, float | None]]:
        """The value of every actuator an active fault holds (a later entry wins), and None once
        for each actuator released since the last call."""
        values: dict[ActuatorRef, float] = {}
        for fault in self.faults:
            if fault.settings and fault.active(now):
                values.update(fault.settings)
        released = [ref for ref in self._held if ref not in values]
        self._held = set(values)
        return [*values.items(), *((ref, None) for ref in sorted(released, key=_ref_key))]

    def served(self, now: datetime, values: Mapping[str, float]) -> dict[str, float]:
        """`values` as the active sensor faults make them look (a new dictionary)."""
        served = dict(values)
        for fault in self.faults:
            if not fault.sensors:
                continue
            if fault.active(now):
                for effect in fault.sensors:
                    effect.apply(now, fault.start, served)
            elif now <= fault.start:
                for effect in fault.sensors:
                    effect.before(served)
        return served

    def labels(self) -> list[dict[str, Any]]:
        """One dictionary per fault: id, type, acts_on, targets, affected, start, end (ISO UTC),
        parameters, actuators (with the values set), and the note if any."""
        return [fault.label() for fault in self.faults]

    def mislabels(self) -> list[Mislabeling]:
        return [m for fault in self.faults for m in fault.mislabels]


def _ref_key(ref: ActuatorRef) -> tuple[str, str, str]:
    return (ref.component_type, ref.control_type, ref.key)
