"""Checking current values against effective constraints (pure code).

A `Violation` is one current value outside one effective bound (`kind="range"`), or a parent
whose children demand more than its capacity (`kind="capacity"`, with the `CapacityCheck`).
Both land in one list, so "what is wrong below Building B" is one answer.

Hard bounds are checked first; a soft target on the same side is only reported when the hard
bound holds (a value above the hard max is above the soft target too, and saying so twice is
noise). A value whose unit cannot be converted to the limit's is not compared (there is nothing
meaningful to say about 300 against a limit in degC when the value is in m3/s); a value without
a unit is taken to be in the limit's unit (`unit_assumed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from graphtwin.errors import IncompatibleUnitsError
from graphtwin.reasoning.because import Step
from graphtwin.reasoning.capacity import CapacityCheck, to_unit
from graphtwin.reasoning.constraints import (
    CAPACITY,
    RANGE,
    Bound,
    Contribution,
    EffectiveConstraint,
    Side,
    close,
)
from graphtwin.reasoning.observations import Observation


@dataclass(frozen=True, slots=True)
class Violation:
    """A current value (or a capacity total) that breaks an effective bound."""

    kind: str
    """`range`: a node's value outside its limits; `capacity`: children demand more (or less)
    than their parent's capacity (see `capacity`)."""
    node: str
    property: str
    value: float
    unit: str | None
    """The value as observed; `unit` None: not stated (taken as `limit_unit`)."""
    compared: float
    """The value in `limit_unit`, as it was compared."""
    bound: Side
    limit: float
    limit_unit: str | None
    severity: str
    when: str | None
    """The condition under which the broken bound holds (None: always). The twin does not know
    whether a room is occupied now, so a conditional violation says so instead of guessing."""
    constraints: tuple[Contribution, ...]
    """The constraint(s) that set the broken bound, each with its because chain."""
    because: tuple[Step, ...]
    """The chain of the first of `constraints`: why the bound holds at `node`."""
    holder: str
    """The node that carries the value: `node`, a SAME_AS twin, a point; for a capacity
    violation the parent."""
    point: str | None = None
    point_class: str | None = None
    observed_via: tuple[Step, ...] = ()
    """How the value reaches `node` (a VAV's sensor through the VAV FEEDS the room)."""
    at: datetime | None = None
    capacity: CapacityCheck | None = None
    unit_assumed: bool = False

    @property
    def constraint_ids(self) -> tuple[str, ...]:
        return tuple(c.constraint_id for c in self.constraints)

    def describe(self) -> str:
        where = f" (point {self.point})" if self.point else ""
        direction = "below" if self.bound == "min" else "above"
        condition = f" when {self.when}" if self.when else ""
        unit = self.unit or self.limit_unit or ""
        return (
            f"{self.node}: {self.property} {self.value:g} {unit}{where} is {direction} the "
            f"{self.severity} {self.bound} {self.limit:g} {self.limit_unit or ''} set by "
            f"{', '.join(self.constraint_ids)}{condition}"
        ).replace("  ", " ")


def find_violations(
    effective: Iterable[EffectiveConstraint], observations: Iterable[Observation]
) -> list[Violation]:
    """Every observation of a node that breaks one of that node's effective range constraints."""
    by_property: dict[tuple[str, str], list[Observation]] = {}
    for o in observations:
        by_property.setdefault((o.node, o.property), []).append(o)
    found = []
    for eff in effective:
        if eff.constraint_type != RANGE:
            continue
        for o in by_property.get((eff.node, eff.property), []):
            found += _check(eff, o)
    # A value that breaks a bound that always holds need not be told it also breaks the
    # stricter "occupied" bound on the same side: the unconditional violation says more.
    always = {_side(v) for v in found if v.when is None}
    return [v for v in found if v.when is None or _side(v) not in always]


def _side(v: Violation) -> tuple[str, str, str, str, str]:
    return (v.node, v.holder, v.property, v.bound, v.severity)


def _check(eff: EffectiveConstraint, o: Observation) -> list[Violation]:
    try:
        compared = to_unit(o.value, o.unit, eff.unit)
    except IncompatibleUnitsError:
        return []
    found = []
    for side, hard, soft in (("min", eff.min, eff.target_min), ("max", eff.max, eff.target_max)):
        for bound in (hard, soft):
            if bound is not None and _breaks(compared, bound.value, side):
                found.append(_violation(eff, o, compared, side, bound))
                break  # the hard bound is broken: the soft target on this side is too
    return found


def _breaks(value: float, limit: float, side: Side) -> bool:
    if close(value, limit):
        return False
    return value < limit if side == "min" else value > limit


def _violation(
    eff: EffectiveConstraint, o: Observation, compared: float, side: Side, bound: Bound
) -> Violation:
    setting = eff.setting(bound)
    return Violation(
        kind=RANGE,
        node=eff.node,
        property=eff.property,
        value=o.value,
        unit=o.unit,
        compared=compared,
        bound=side,
        limit=bound.value,
        limit_unit=eff.unit,
        severity=bound.severity,
        when=eff.when if any(c.when for c in setting) else None,
        constraints=setting,
        because=setting[0].because if setting else (),
        holder=o.holder,
        point=o.point,
        point_class=o.point_class,
        observed_via=o.via,
        at=o.at,
        unit_assumed=o.unit is None,
    )


def unique_violations(violations: Iterable[Violation]) -> list[Violation]:
    """One violation per (value, broken bound): a point LOCATED_IN a room is checked at the
    room and at the point, and a SAME_AS pair at both twins; the report keeps the one on the
    governed node nearest to the rule (not the point itself, then the shortest chain)."""
    best: dict[tuple[object, ...], Violation] = {}
    for v in violations:
        key = (v.kind, v.holder, v.property, v.bound, v.constraint_ids, v.value)
        if key not in best or _preference(v) < _preference(best[key]):
            best[key] = v
    return sorted(best.values(), key=lambda v: (v.node, v.property, v.bound, v.constraint_ids))


def _preference(v: Violation) -> tuple[bool, int, int, str]:
    return (v.point == v.node, len(v.because), len(v.observed_via), v.node)


def capacity_violation(check: CapacityCheck) -> Violation | None:
    """The violation a broken capacity check is, for the one list of everything wrong."""
    if check.bound is None:
        return None
    c = check.constraint
    limit = check.max if check.bound == "max" else check.min
    if limit is None:
        return None
    return Violation(
        kind=CAPACITY,
        node=check.node,
        property=check.property,
        value=check.total,
        unit=check.unit,
        compared=check.total,
        bound=check.bound,
        limit=limit,
        limit_unit=check.unit,
        severity=c.severity,
        when=c.when,
        constraints=(c,),
        because=c.because,
        holder=check.node,
        capacity=check,
    )
