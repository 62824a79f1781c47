"""Faults at seeded random times and places, for evaluation data sets, and the YAML writer that
`load_faults` reads back.

Every timed fault starts at least `min_history` after the run starts (history to calibrate on)
and ends before the run ends; no two come closer than `gap`, so an event's effects are its own.
Equipment faults and actions fall in working hours on weekdays, when the building runs (a trip
at night, with the fans off anyway, would change nothing). Mislabels are not timed: they hold
for the whole run (they live in the twin's labels, not in the building).

>>> entries = generate_faults(epjson, points, kinds=["trip", "offset"], count_per_kind=10,
...                           start=run_start, end=run_end, seed=7)  # doctest: +SKIP
>>> write_faults(Path("faults.yaml"), entries)  # doctest: +SKIP
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from graphtwin.virtual.faults import spec
from graphtwin.virtual.faults.model_index import Entity, ModelIndex
from importers.energyplus.observed import ObservedPoint

_ENTRIES: TypeAdapter[list[Any]] = TypeAdapter(list[spec.FaultEntry])
_ORDER = ("id", "type", "target", "targets", "start", "duration")


def generate_faults(
    epjson: dict[str, Any],
    points: Sequence[ObservedPoint],
    *,
    kinds: Sequence[str],
    count_per_kind: int,
    start: datetime,
    end: datetime,
    seed: int,
    min_history: timedelta = timedelta(days=14),
    max_duration: timedelta = timedelta(hours=8),
    min_duration: timedelta = timedelta(hours=1),
    gap: timedelta = timedelta(hours=2),
    equipment_hours: tuple[int, int] | None = (8, 17),
    step: timedelta = timedelta(minutes=15),
    prefix: str | None = None,
    time_zone_h: float | None = None,
) -> list[Any]:
    """`count_per_kind` faults of each type in `kinds`, valid for the model and the run from
    `start` to `end` (aware), as faults-file entries (`spec.FaultEntry` models). The same
    arguments give the same faults.

    Each timed fault lasts `min_duration` to `max_duration`, starts no earlier than
    `min_history` after `start`, ends by `end`, and keeps `gap` from every other. Equipment
    faults and actions fall on a weekday between `equipment_hours` (local hours, start and end;
    None: any time), when the building runs and a fault shows. Starts are on the `step` grid,
    written in ISO 8601 with the offset of `time_zone_h` (default: the model's Site:Location).
    ValueError when a type has nothing to act on in the model or a fault finds no free time.
    """
    unknown = [k for k in kinds if k not in spec.FAULT_TYPES]
    if unknown:
        raise ValueError(f"unknown fault types {unknown}; known: {', '.join(spec.FAULT_TYPES)}")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if not step <= min_duration <= max_duration:
        raise ValueError("need step <= min_duration <= max_duration")
    index = ModelIndex(epjson, points, prefix=prefix or _prefix(points))
    zone = timezone(timedelta(hours=time_zone_h)) if time_zone_h is not None else None
    local = zone or index.time_zone() or UTC
    rng = random.Random(seed)
    choices = _Choices(index, points)
    calendar = _Calendar(start + min_history, end, step, local, gap)
    entries: list[dict[str, Any]] = [
        {"id": f"{kind}-{n}", "type": kind} for kind in kinds for n in range(1, count_per_kind + 1)
    ]
    for entry in entries:
        entry.update(choices.pick(entry["type"], rng))
    # Placed in a random order, those bound to working hours first (they have less room).
    timed = [e for e in entries if e["type"] not in spec.LABEL_TYPES]
    bound = [e for e in timed if e["type"] in spec.EQUIPMENT_TYPES]
    free = [e for e in timed if e["type"] not in spec.EQUIPMENT_TYPES]
    for entry in [*rng.sample(bound, len(bound)), *rng.sample(free, len(free))]:
        steps = rng.randint(int(min_duration / step), int(max_duration / step))
        hours = equipment_hours if entry["type"] in spec.EQUIPMENT_TYPES else None
        begin = calendar.place(steps, hours, rng, entry["id"])
        entry["start"] = begin.astimezone(local).isoformat()
        entry["duration"] = spec.format_duration(steps * step)
    return list(_ENTRIES.validate_python(entries))


class _Calendar:
    """The free times of the window, on the step grid."""

    def __init__(
        self, begin: datetime, end: datetime, step: timedelta, local: tzinfo, gap: timedelta
    ) -> None:
        self.begin, self.end, self.step, self.gap = begin, end, step, gap
        count = int((end - begin) / step) + 1
        self.grid = [begin + i * step for i in range(max(count, 0))]
        self.local = [moment.astimezone(local) for moment in self.grid]
        self.taken: list[tuple[datetime, datetime]] = []

    def place(
        self, steps: int, hours: tuple[int, int] | None, rng: random.Random, name: str
    ) -> datetime:
        length = steps * self.step
        free = [
            self.grid[i]
            for i in range(len(self.grid) - steps)
            if self._in_hours(i, steps, hours) and self._apart(self.grid[i], length)
        ]
        if not free:
            raise ValueError(
                f"no free time for {name} ({length}) between {self.begin} and {self.end}: "
                "lengthen the run, or ask for fewer or shorter faults"
            )
        moment = rng.choice(free)
        self.taken.append((moment - self.gap, moment + length + self.gap))
        return moment

    def _apart(self, first: datetime, length: timedelta) -> bool:
        last = first + length
        return not any(first < end and start < last for start, end in self.taken)

    def _in_hours(self, i: int, steps: int, hours: tuple[int, int] | None) -> bool:
        """Whether grid moments i to i + steps lie on one weekday between `hours`."""
        if hours is None:
            return True
        first, last = self.local[i], self.local[i + steps]
        return (
            first.weekday() < 5
            and first.hour >= hours[0]
            and last.date() == first.date()
            and (last.hour, last.minute, last.second) <= (hours[1], 0, 0)
        )


def fault_types_for(
    epjson: dict[str, Any], points: Sequence[ObservedPoint], *, prefix: str | None = None
) -> list[str]:
    """The fault types `generate_faults` finds something to act on in the model (the ASHRAE
    small office, whose coils are all load-controlled, has no `coil_failure`)."""
    index = ModelIndex(epjson, points, prefix=prefix or _prefix(points))
    choices = _Choices(index, points)
    rng = random.Random(0)
    found = []
    for kind in spec.FAULT_TYPES:
        try:
            choices.pick(kind, rng)
        except ValueError:
            continue
        found.append(kind)
    return found


def faults_yaml(entries: Sequence[Any]) -> str:
    """The faults file holding `entries` (models from `generate_faults` or the spec)."""
    faults = []
    for entry in entries:
        fields = entry.model_dump(exclude_none=True)
        faults.append(
            {
                **{k: fields[k] for k in _ORDER if k in fields},
                **{k: v for k, v in fields.items() if k not in _ORDER},
            }
        )
    document = {"graphtwin-faults": spec.FORMAT_VERSION, "faults": faults}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def write_faults(path: Path, entries: Sequence[Any]) -> None:
    """Write `entries` as a faults file that `load_faults` reads back."""
    path.write_text(faults_yaml(entries), encoding="utf-8")


def _prefix(points: Sequence[ObservedPoint]) -> str:
    if not points:
        raise ValueError("give the model's twin-id prefix: there are no points to take it from")
    return points[0].twin_id.split("/", 1)[0]


class _Choices:
    """What each fault type can act on in the model, and random parameters for it."""

    def __init__(self, index: ModelIndex, points: Sequence[ObservedPoint]) -> None:
        self.index = index
        ahus = [a for a in index.of_kind("ahu") if index.ahu_parts(a)[0]]
        fans = [f for a in ahus for f in index.ahu_parts(a)[0]]
        self.targets: dict[str, list[str]] = {
            "trip": [e.twin_id for e in (*ahus, *fans)],
            "coil_failure": [
                c.twin_id for c in index.of_kind("coil") if index.coil_control_node(c)
            ],
            "setpoint_change": [
                z.twin_id for z in index.of_kind("zone") if index.zone_thermostat(z)
            ],
            "schedule_change": [s.twin_id for s in index.people_schedules()],
            "degradation": [f.twin_id for f in fans],
        }
        sensors = [p for p in points if p.brick_class.endswith("_Sensor") and p.unit == "C"]
        self.sensors = sensors or [p for p in points if p.unit == "C" and not p.meter]
        self.classes = sorted({p.brick_class for p in points if not p.meter})

    def pick(self, kind: str, rng: random.Random) -> dict[str, Any]:
        if kind in self.targets:
            if not self.targets[kind]:
                raise ValueError(f"the model has nothing a {kind} can act on")
            entry: dict[str, Any] = {"target": rng.choice(self.targets[kind])}
            entry.update(self._equipment_parameters(kind, rng))
            return entry
        if not self.sensors:
            raise ValueError(f"the model has no temperature sensor point for a {kind}")
        if kind == "swap":
            return {"targets": self._pair(rng)}
        point = rng.choice(self.sensors)
        if kind == "mislabel":
            return self._mislabel(point, rng)
        return {"target": point.twin_id, **_sensor_parameters(kind, rng)}

    def _equipment_parameters(self, kind: str, rng: random.Random) -> dict[str, Any]:
        if kind == "setpoint_change":  # both, so that it shows in summer and in winter
            return {"heating": rng.randint(24, 32) / 2, "cooling": rng.randint(54, 60) / 2}
        if kind == "schedule_change":  # in working hours: the building empties
            return {"value": 0.0}
        if kind == "degradation":
            return {"fraction": rng.randint(8, 16) / 20}  # 0.4 to 0.8
        return {}

    def _pair(self, rng: random.Random) -> list[str]:
        by_class: dict[str, list[ObservedPoint]] = {}
        for point in self.sensors:
            by_class.setdefault(point.brick_class, []).append(point)
        groups = [g for g in by_class.values() if len({p.parent for p in g}) >= 2]
        if not groups:
            raise ValueError("the model has no two sensors of one class to swap")
        group = rng.choice(groups)
        first = rng.choice(group)
        second = rng.choice([p for p in group if p.parent != first.parent])
        return [first.twin_id, second.twin_id]

    def _mislabel(self, point: ObservedPoint, rng: random.Random) -> dict[str, Any]:
        others = [c for c in self.classes if c != point.brick_class]
        parent = self.index.candidates(point.parent)
        siblings = (
            [e.twin_id for e in self.index.of_kind(parent[0].kind) if e.twin_id != point.parent]
            if parent and isinstance(parent[0], Entity)
            else []
        )
        if siblings and (not others or rng.random() < 0.5):
            return {"target": point.twin_id, "parent": rng.choice(siblings)}
        if not others:
            raise ValueError("the model has no second point class nor parent to mislabel with")
        return {"target": point.twin_id, "brick_class": rng.choice(others)}


def _sensor_parameters(kind: str, rng: random.Random) -> dict[str, Any]:
    sign = rng.choice([-1.0, 1.0])
    if kind == "offset":
        return {"offset": sign * rng.randint(3, 8) / 2}  # 1.5 to 4 units
    if kind == "drift":
        return {"rate_per_hour": sign * rng.randint(1, 5) / 10}  # 0.1 to 0.5 units/h
    if kind == "noise":
        return {"sigma": rng.randint(2, 6) / 4}  # 0.5 to 1.5 units
    return {}
