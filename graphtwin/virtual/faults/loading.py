"""Reading a faults file against a model and a run: `load_faults`.

Every mistake is a `FaultsFileError` naming the file, the line and the entry, raised before the
run starts: an unknown target, a target of the wrong kind for the type, a start outside the run,
an end after it, a non-positive duration, an actuator the model lacks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from graphtwin.brick_hierarchy import brick_ancestors
from graphtwin.errors import SourceLocation
from graphtwin.virtual.faults import equipment, spec
from graphtwin.virtual.faults.equipment import CannotActError, Effect
from graphtwin.virtual.faults.errors import FaultsFileError
from graphtwin.virtual.faults.model_index import Entity, ModelIndex
from graphtwin.virtual.faults.plan import FaultPlan, Mislabeling, PlannedFault
from graphtwin.virtual.faults.probe import available_actuators, has_actuator
from graphtwin.virtual.faults.sensors import Drift, Noise, Offset, SensorEffect, StuckAt, Swap
from graphtwin.virtual.hooks import ActuatorRef
from graphtwin.yaml_spec import schema_error
from graphtwin.yamlio import LineIndex, load_yaml
from importers.energyplus.observed import ObservedPoint

_ENTRY: TypeAdapter[Any] = TypeAdapter(spec.FaultEntry)
_COMMON = {"id", "type", "target", "targets", "start", "duration", "note"}
_POINT_TYPES = (*spec.SENSOR_TYPES, *spec.LABEL_TYPES)


def load_faults(
    path: Path,
    *,
    points: Sequence[ObservedPoint],
    epjson: dict[str, Any],
    start: datetime,
    end: datetime,
    seed: int = 0,
    prefix: str | None = None,
    time_zone_h: float | None = None,
    available: Collection[ActuatorRef] | None = None,
) -> FaultPlan:
    """The faults file at `path`, resolved against the model (`epjson`, its observed `points`)
    and the run from `start` to `end` (aware datetimes), as a `FaultPlan` for the engine.

    `MM-DD HH:MM` starts are read in the run's standard time, `time_zone_h` hours from UTC: pass
    the zone the engine's clock runs in (the weather file's); by default the model's
    Site:Location. `prefix` is the model's twin-id prefix (default: taken from the points).
    `available` lists the model's actuators; by default EnergyPlus is asked
    (`available_actuators`, one to three seconds) when the file has equipment faults. `seed`
    seeds the noise of entries without their own.

    >>> plan = load_faults(Path("faults.yaml"), points=points, epjson=epjson,
    ...                    start=run_start, end=run_end)  # doctest: +SKIP
    >>> [label["id"] for label in plan.labels()]  # doctest: +SKIP
    ['ahu-bot-trip', 'offset-1']
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    if prefix is None:
        if not points:
            raise ValueError("give the model's twin-id prefix: there are no points to take it from")
        prefix = points[0].twin_id.split("/", 1)[0]
    data, lines = load_yaml(path)
    entries = _entries(data, lines)
    index = ModelIndex(epjson, points, prefix=prefix)
    local = index.time_zone() if time_zone_h is None else timezone(timedelta(hours=time_zone_h))
    run = _Run(start.astimezone(UTC), end.astimezone(UTC), local)
    faults: list[PlannedFault] = []
    seen: dict[str, int] = {}
    numbers: Counter[str] = Counter()
    for i, entry in enumerate(entries):
        numbers[entry.type] += 1
        fault_id = entry.id or f"{entry.type}-{numbers[entry.type]}"
        where = _Where(lines, i, f"fault {fault_id}")
        if fault_id in seen:
            raise where.error(f"id {fault_id!r} is used twice (first by entry {seen[fault_id]})")
        seen[fault_id] = i + 1
        faults.append(_resolve(entry, fault_id, where, index, run, seed))
    _check_actuators(faults, epjson, available, lines)
    return FaultPlan(faults)


@dataclass(frozen=True, slots=True)
class _Run:
    start: datetime
    end: datetime
    local: timezone | None

    def span(self) -> str:
        tz = self.local or UTC
        return f"{self.start.astimezone(tz).isoformat()} to {self.end.astimezone(tz).isoformat()}"


@dataclass(frozen=True, slots=True)
class _Where:
    lines: LineIndex
    index: int
    entity: str

    def error(self, message: str, *path: str | int) -> FaultsFileError:
        return FaultsFileError(
            message, location=self.lines.location(("faults", self.index, *path)), entity=self.entity
        )


def _entries(data: Any, lines: LineIndex) -> list[Any]:
    """The file's entries, each validated on its own so an error names its entry."""
    if not isinstance(data, dict) or data.get("graphtwin-faults") != spec.FORMAT_VERSION:
        raise FaultsFileError(
            f"a faults file is a YAML mapping starting with graphtwin-faults: "
            f"{spec.FORMAT_VERSION}, then faults: [entries]",
            location=lines.location(()),
        )
    unknown = sorted(str(k) for k in data if k not in ("graphtwin-faults", "faults"))
    if unknown:
        raise FaultsFileError(
            f"unknown field {unknown[0]!r} (a faults file has graphtwin-faults and faults)",
            location=lines.location((unknown[0],)),
        )
    raw = data.get("faults") or []
    if not isinstance(raw, list):
        raise FaultsFileError(
            "faults must be a list of entries", location=lines.location(("faults",))
        )
    entries = []
    for i, item in enumerate(raw):
        try:
            entries.append(_ENTRY.validate_python(item))
        except ValidationError as exc:
            problem = schema_error(exc, item, LineIndex(lines.file, item))
            reason = problem.reason.replace("Value error, ", "").removeprefix("file: ")
            raise FaultsFileError(
                reason,
                location=problem.location if problem.line else lines.location(("faults", i)),
                entity=_raw_name(item, i),
            ) from exc
    return entries


def _raw_name(item: Any, i: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return f"fault {item['id']}"
    kind = item.get("type") if isinstance(item, dict) else None
    return f"fault #{i + 1}" + (f" ({kind})" if isinstance(kind, str) else "")


def _resolve(
    entry: Any, fault_id: str, where: _Where, index: ModelIndex, run: _Run, seed: int
) -> PlannedFault:
    begin, finish = _times(entry, where, run)
    names = entry.target_names
    field = "target" if entry.target is not None else "targets"
    targets = [
        _target(index, name, entry.type, where, field if field == "target" else (field, j))
        for j, name in enumerate(names)
    ]
    parameters = entry.model_dump(exclude=_COMMON, exclude_none=True)
    common = dict(
        id=fault_id,
        type=entry.type,
        start=begin,
        end=finish,
        location=where.lines.location(("faults", where.index)),
        note=entry.note,
    )
    if entry.type in _POINT_TYPES:
        point_ids = tuple(t.twin_id for t in targets)
        if entry.type == "mislabel":
            mislabels = tuple(_mislabel(entry, p, index, where) for p in targets)
            if entry.parent is not None:
                parameters["parent"] = mislabels[0].parent
            parameters["truth"] = {
                m.point: {"brick_class": m.true_brick_class, "parent": m.true_parent}
                for m in mislabels
            }
            return PlannedFault(
                targets=point_ids,
                parameters=parameters,
                affected=point_ids,
                mislabels=mislabels,
                **common,
            )
        effects = _sensor_effects(entry, point_ids, f"{seed}:{fault_id}")
        return PlannedFault(
            targets=point_ids, parameters=parameters, affected=point_ids, sensors=effects, **common
        )
    effect = Effect()
    for target in targets:
        try:
            one = _equipment_effect(entry, index, target)
        except CannotActError as exc:
            raise where.error(str(exc), field) from exc
        effect.settings += one.settings
        effect.affected += one.affected
        effect.parameters.update(one.parameters)
    entity_ids = [e.twin_id for e in dict.fromkeys(effect.affected)]
    affected = tuple(dict.fromkeys([*entity_ids, *index.points_of(entity_ids)]))
    return PlannedFault(
        targets=tuple(t.twin_id for t in targets),
        parameters={**parameters, **effect.parameters},
        affected=affected,
        settings=tuple(effect.settings),
        **common,
    )


def _times(entry: Any, where: _Where, run: _Run) -> tuple[datetime, datetime]:
    if entry.start is None:
        begin = run.start
    else:
        begin = _moment(entry.start, run, where)
        if not run.start <= begin < run.end:
            raise where.error(
                f"start {entry.start!r} ({begin.isoformat()}) is outside the run ({run.span()})",
                "start",
            )
    if entry.duration is None:
        return begin, run.end
    finish = begin + spec.parse_duration(entry.duration)
    if finish > run.end:
        raise where.error(
            f"it would end at {finish.astimezone(run.local or UTC).isoformat()}, "
            f"after the run ({run.span()}): shorten duration {entry.duration!r}",
            "duration",
        )
    return begin.astimezone(UTC), finish.astimezone(UTC)


def _moment(text: str, run: _Run, where: _Where) -> datetime:
    """A start as an aware time: `MM-DD HH:MM` in the model's standard time, in the run's year
    (the year it falls in the run, for a run over New Year), or ISO 8601 with an offset."""
    local = spec.LOCAL_TIME.match(text)
    if not local:
        return datetime.fromisoformat(text).astimezone(UTC)
    if run.local is None:
        raise where.error(
            "the model has no Site:Location time_zone to read MM-DD HH:MM in: write the start "
            "in ISO 8601 with an offset",
            "start",
        )
    month, day, hour, minute = (int(g) for g in local.groups())
    years = sorted({run.start.astimezone(run.local).year, run.end.astimezone(run.local).year})
    moments = []
    for year in years:
        try:
            moments.append(datetime(year, month, day, hour, minute, tzinfo=run.local))
        except ValueError:
            continue
    if not moments:
        raise where.error(f"start {text!r} is not a day of {years[0]}", "start")
    inside = [m for m in moments if run.start <= m < run.end]
    return (inside or moments)[0]


def _target(
    index: ModelIndex, name: str, fault_type: str, where: _Where, path: str | tuple[str, int]
) -> Any:
    """The entity or point `name` names, of a kind `fault_type` acts on."""
    at = (path,) if isinstance(path, str) else path
    wanted = ("point",) if fault_type in _POINT_TYPES else equipment.TARGET_KINDS[fault_type]
    found = index.candidates(name)
    if not found:
        raise where.error(
            f"unknown target {name!r}: no observed point, twin id or EnergyPlus object of "
            f"that name (a {fault_type} acts on {_kinds(wanted)})",
            *at,
        )
    fitting = [c for c in found if _kind(c) in wanted]
    if not fitting:
        what = ", ".join(f"{_kind(c)} {_describe(c)}" for c in found)
        raise where.error(
            f"target {name!r} is a {what}; a {fault_type} acts on {_kinds(wanted)}", *at
        )
    if len(fitting) > 1:
        ids = ", ".join(c.twin_id for c in fitting)
        raise where.error(f"target {name!r} names several objects ({ids}): use a twin id", *at)
    return fitting[0]


def _kind(candidate: Entity | ObservedPoint) -> str:
    return candidate.kind if isinstance(candidate, Entity) else "point"


def _describe(candidate: Entity | ObservedPoint) -> str:
    if isinstance(candidate, Entity):
        return f"({candidate.eplus_type} {candidate.name})"
    return f"({candidate.twin_id})"


def _kinds(kinds: Sequence[str]) -> str:
    names = {
        "ahu": "an AHU (AirLoopHVAC)",
        "fan": "a fan (Fan:*)",
        "coil": "a coil (Coil:*)",
        "zone": "a zone",
        "thermostat": "a thermostat (ZoneControl:Thermostat)",
        "schedule": "a schedule (Schedule:Compact, :Year, :Constant, :File)",
        "point": "an observed point (its twin id)",
    }
    return " or ".join(names[k] for k in kinds)


def _equipment_effect(entry: Any, index: ModelIndex, target: Entity) -> Effect:
    if entry.type == "trip":
        return equipment.trip(index, target)
    if entry.type == "coil_failure":
        return equipment.coil_failure(index, target)
    if entry.type == "setpoint_change":
        return equipment.setpoint_change(index, target, entry.heating, entry.cooling)
    if entry.type == "schedule_change":
        return equipment.schedule_change(index, target, entry.value)
    return equipment.degradation(index, target, entry.fraction)


def _sensor_effects(entry: Any, points: tuple[str, ...], seed: str) -> tuple[SensorEffect, ...]:
    if entry.type == "swap":
        return (Swap(points[0], points[1]),)
    effects: list[SensorEffect] = []
    for point in points:
        if entry.type == "stuck":
            effects.append(StuckAt(point, entry.value))
        elif entry.type == "offset":
            effects.append(Offset(point, entry.offset))
        elif entry.type == "drift":
            effects.append(Drift(point, entry.rate_per_hour))
        else:
            own = entry.seed if entry.seed is not None else f"{seed}:{point}"
            effects.append(Noise(point, entry.sigma, own))
    return tuple(effects)


def _mislabel(entry: Any, point: ObservedPoint, index: ModelIndex, where: _Where) -> Mislabeling:
    if entry.brick_class is not None:
        if entry.brick_class not in brick_ancestors():
            raise where.error(f"{entry.brick_class!r} is not a Brick class", "brick_class")
        if entry.brick_class == point.brick_class:
            raise where.error(
                f"{point.twin_id} already is a {entry.brick_class}: a mislabel must differ",
                "brick_class",
            )
    parent = None
    if entry.parent is not None:
        found = [c for c in index.candidates(entry.parent) if isinstance(c, Entity)]
        if len(found) != 1:
            problem = "names several objects: use a twin id" if found else "is not in the model"
            raise where.error(f"parent {entry.parent!r} {problem}", "parent")
        parent = found[0].twin_id
        if parent == point.parent:
            raise where.error(
                f"{point.twin_id} already hangs on {parent}: a mislabel must differ", "parent"
            )
    return Mislabeling(point.twin_id, point.brick_class, entry.brick_class, point.parent, parent)


def _check_actuators(
    faults: list[PlannedFault],
    epjson: dict[str, Any],
    available: Collection[ActuatorRef] | None,
    lines: LineIndex,
) -> None:
    """Every actuator a fault sets must exist in the model (EnergyPlus would give no handle)."""
    if not any(f.settings for f in faults):
        return
    offered = (
        available_actuators(epjson)
        if available is None
        else frozenset(
            ActuatorRef(r.component_type.upper(), r.control_type.upper(), r.key.upper())
            for r in available
        )
    )
    for fault in faults:
        for ref, _ in fault.settings:
            if not has_actuator(offered, ref):
                raise FaultsFileError(
                    f"the model has no EnergyPlus actuator {ref.component_type} / "
                    f"{ref.control_type} / {ref.key} (get_api_data does not list it)",
                    location=fault.location or SourceLocation(lines.file),
                    entity=f"fault {fault.id}",
                )
