"""How the constraints that reach a node combine into the limits that hold there (pure code).

A `Contribution` is one constraint reaching one node, with the chain that explains how. `combine`
turns a node's contributions into `EffectiveConstraint`s, one per (type, property, condition):

- a constraint without `when` holds always, so it also joins every conditional group of its
  property ("occupied" is checked against the unconditional limits too);
- all bounds are converted to one unit per group: the unit of the nearest constraint;
- hard bounds intersect: the tightest min and the tightest max win, and each effective bound
  names the constraint(s) that set it;
- soft bounds are targets inside that range: they intersect too, and a soft bound outside the
  hard range is reported as an issue (never dropped without a word);
- an empty hard intersection (effective min > max) is a conflict naming the constraints on both
  sides, and so is a constraint whose unit cannot be converted to the group's unit.

Capacity constraints (a parent's limit against the sum of what it feeds) are not inherited: a
limit on an AHU is about the AHU's branch, not about its fan, its points or the building its
regulation applies to. They count only where the constraint itself APPLIES_TO the node (or its
SAME_AS twin).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from graphtwin.errors import IncompatibleUnitsError
from graphtwin.reasoning.because import Step, describe_chain
from graphtwin.units import convert, normalise_unit

Side = Literal["min", "max"]
IssueKind = Literal["empty_range", "unit", "soft_outside_hard", "soft_empty"]

RANGE = "range"
CAPACITY = "capacity"
HARD = "hard"
SOFT = "soft"


def close(a: float, b: float) -> bool:
    """Equal up to float noise (bounds converted between units are compared with this)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One constraint that reaches one node, and the chain of relationships that explains how."""

    constraint_id: str
    name: str
    property: str
    min: float | None
    max: float | None
    unit: str
    """As the constraint states it (`degC`, `m3/s`); see `units.normalise_unit`."""
    severity: str
    """`hard` (never break) or `soft` (a target)."""
    constraint_type: str
    """`range`, or `capacity` (a parent's limit against the sum of its children's demand)."""
    when: str | None
    """The condition it holds under (`occupied`), None for always."""
    regulation: str | None
    """twin_id of the regulation that has it as a part."""
    node: str
    """twin_id of the node it reaches (the end of `because`)."""
    because: tuple[Step, ...] = ()
    """From the regulation (when there is one) to `node`; see `graphtwin.reasoning.because`."""

    @property
    def applies_to(self) -> Step | None:
        """The APPLIES_TO step: from the constraint itself, or from its regulation."""
        return next((s for s in self.because if s.relation == "APPLIES_TO"), None)

    @property
    def via_regulation(self) -> bool:
        """Whether it reaches the node because its regulation applies there (not itself)."""
        step = self.applies_to
        return step is not None and step.from_id != self.constraint_id

    @property
    def inherited(self) -> bool:
        """Whether it applies to an ancestor of the node rather than to the node (or its SAME_AS
        twin) itself."""
        steps = self.because
        start = next((i for i, s in enumerate(steps) if s.relation == "APPLIES_TO"), len(steps))
        return any(s.relation != "SAME_AS" for s in steps[start + 1 :])

    @property
    def direct(self) -> bool:
        """Whether the constraint itself APPLIES_TO the node (or its SAME_AS twin)."""
        return not self.inherited and not self.via_regulation

    @property
    def hard(self) -> bool:
        # Anything not declared soft is a limit: an unknown severity must not weaken a rule.
        return self.severity != SOFT

    def explain(self) -> str:
        return describe_chain(self.because)


@dataclass(frozen=True, slots=True)
class Bound:
    """An effective bound, in its group's unit, and the constraint(s) that set it (several when
    they tie)."""

    value: float
    constraint_ids: tuple[str, ...]
    severity: str
    """`hard`, or `soft` for a target a soft constraint set (a target the hard range clamped is
    `hard`: the hard constraint set it)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """Something about a group of constraints a reader should know."""

    kind: IssueKind
    """`empty_range`: no value satisfies every hard bound (a conflict); `unit`: a constraint's
    unit cannot be converted to the group's (a conflict, that constraint is left out of the
    bounds); `soft_outside_hard`: a soft bound lies outside the hard range (the hard bound
    governs, or the target cannot be met); `soft_empty`: the soft targets contradict each
    other (soft min above soft max)."""
    constraint_ids: tuple[str, ...]
    message: str

    @property
    def conflicting(self) -> bool:
        return self.kind in ("empty_range", "unit")


@dataclass(frozen=True, slots=True)
class EffectiveConstraint:
    """The limits on one property of one node under one condition, all contributions combined."""

    node: str
    constraint_type: str
    property: str
    when: str | None
    unit: str | None
    """Canonical unit of every bound (None when no contribution has a known unit)."""
    min: Bound | None
    max: Bound | None
    """The hard range: the tightest hard bounds."""
    target_min: Bound | None
    target_max: Bound | None
    """The soft targets, intersected with the hard range (None where no soft bound is given,
    or where the targets cannot be met)."""
    issues: tuple[Issue, ...]
    contributions: tuple[Contribution, ...]
    """Every constraint in the group, nearest (shortest chain) first."""

    @property
    def conflict(self) -> bool:
        """No value can satisfy the group's hard constraints, or a unit could not be converted."""
        return any(i.conflicting for i in self.issues)

    def contribution(self, constraint_id: str) -> Contribution:
        return next(c for c in self.contributions if c.constraint_id == constraint_id)

    def setting(self, bound: Bound) -> tuple[Contribution, ...]:
        """The contributions that set `bound`."""
        return tuple(c for c in self.contributions if c.constraint_id in bound.constraint_ids)


def nearest(contributions: Iterable[Contribution]) -> list[Contribution]:
    """One contribution per (node, constraint): the one with the shortest chain (the graph may
    offer several routes: a rule on the building and on the room itself, or a selector and an
    explicit id). Sorted nearest first, then by constraint id."""
    best: dict[tuple[str, str], Contribution] = {}
    for c in contributions:
        key = (c.node, c.constraint_id)
        if key not in best or _nearer(c, best[key]):
            best[key] = c
    return _by_rank(best.values())


def _rank(c: Contribution) -> tuple[int, str, str]:
    return (len(c.because), c.constraint_id, c.explain())


def _nearer(c: Contribution, than: Contribution) -> bool:
    """`_rank(c) < _rank(than)`, explaining the chains (the dear part) only on a tie."""
    mine, theirs = (len(c.because), c.constraint_id), (len(than.because), than.constraint_id)
    return mine < theirs or (mine == theirs and c.explain() < than.explain())


def _by_rank(items: Iterable[Contribution]) -> list[Contribution]:
    """`items` sorted by `_rank`; the chains explained only where the chain length and the
    constraint id tie (never among one node's contributions: one each per constraint)."""
    listed = list(items)
    keys = {(len(c.because), c.constraint_id) for c in listed}
    if len(keys) == len(listed):
        return sorted(listed, key=lambda c: (len(c.because), c.constraint_id))
    return sorted(listed, key=_rank)


def combine(contributions: Iterable[Contribution]) -> list[EffectiveConstraint]:
    """The effective constraints of the node the contributions reach (give one node's).

    Groups are keyed by (type, property, when); unconditional constraints join every
    conditional group of their property. Sorted by type, property, condition (None first).
    """
    chosen = nearest(c for c in contributions if c.constraint_type != CAPACITY or c.direct)
    by_property: dict[tuple[str, str, str], list[Contribution]] = defaultdict(list)
    for c in chosen:
        by_property[(c.node, c.constraint_type, c.property)].append(c)
    effective = []
    for (node, ctype, prop), items in sorted(by_property.items()):
        always = [c for c in items if c.when is None]
        if always:
            effective.append(_combine_group(node, ctype, prop, None, always))
        for when in sorted({c.when for c in items if c.when is not None}):
            group = always + [c for c in items if c.when == when]
            effective.append(_combine_group(node, ctype, prop, when, _by_rank(group)))
    return effective


@dataclass(frozen=True, slots=True)
class _Converted:
    contribution: Contribution
    min: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class _Limits:
    """What a group's constraints make of one another, whatever node they reach."""

    unit: str | None
    min: Bound | None
    max: Bound | None
    target_min: Bound | None
    target_max: Bound | None
    issues: tuple[Issue, ...]


Rule = tuple[str, float | None, float | None, str, str]
"""What `_limits` reads of a contribution: constraint_id, min, max, unit, severity."""


def _combine_group(
    node: str, ctype: str, prop: str, when: str | None, items: list[Contribution]
) -> EffectiveConstraint:
    # a building's nodes share a few rule sets: each set's limits are worked out once
    rules = tuple((c.constraint_id, c.min, c.max, c.unit, c.severity) for c in items)
    limits = _limits(prop, rules)
    return EffectiveConstraint(
        node=node,
        constraint_type=ctype,
        property=prop,
        when=when,
        unit=limits.unit,
        min=limits.min,
        max=limits.max,
        target_min=limits.target_min,
        target_max=limits.target_max,
        issues=limits.issues,
        contributions=tuple(items),
    )


@functools.lru_cache(maxsize=4096)
def _limits(prop: str, rules: tuple[Rule, ...]) -> _Limits:
    """The unit, hard range, soft targets and issues of a group of `rules` about `prop`."""
    items = [
        Contribution(
            constraint_id=cid,
            name=cid,
            property=prop,
            min=low,
            max=high,
            unit=unit,
            severity=severity,
            constraint_type=RANGE,
            when=None,
            regulation=None,
            node="",
        )
        for cid, low, high, unit, severity in rules
    ]
    unit = next((u for u in (normalise_unit(c.unit) for c in items) if u), None)
    issues: list[Issue] = []
    converted: list[_Converted] = []
    for c in items:
        try:
            low = convert(c.min, c.unit, unit) if c.min is not None else None
            high = convert(c.max, c.unit, unit) if c.max is not None else None
        except IncompatibleUnitsError as exc:
            issues.append(
                Issue(
                    "unit",
                    (c.constraint_id,),
                    f"{c.constraint_id} is in {c.unit!r}, which cannot be compared with "
                    f"{unit or 'the other constraints'} ({exc.reason}): left out of the range",
                )
            )
            continue
        converted.append(_Converted(c, low, high))
    hard = [x for x in converted if x.contribution.hard]
    soft = [x for x in converted if not x.contribution.hard]
    low, high = _tightest(hard, "min", HARD), _tightest(hard, "max", HARD)
    if low and high and _empty(low, high):
        issues.append(
            Issue(
                "empty_range",
                (*low.constraint_ids, *high.constraint_ids),
                f"no {prop} satisfies every hard constraint: min {low.value:g} {unit} "
                f"({', '.join(low.constraint_ids)}) is above max {high.value:g} {unit} "
                f"({', '.join(high.constraint_ids)})",
            )
        )
    issues += _soft_outside_hard(soft, low, high, unit)
    target_min, target_max, soft_issue = _targets(soft, low, high, unit)
    if soft_issue:
        issues.append(soft_issue)
    return _Limits(unit, low, high, target_min, target_max, tuple(issues))


def _tightest(items: Sequence[_Converted], side: Side, severity: str) -> Bound | None:
    """The highest min or the lowest max, with every constraint that sets it."""
    values = [(getattr(x, side), x.contribution.constraint_id) for x in items]
    values = [(v, cid) for v, cid in values if v is not None]
    if not values:
        return None
    best = max(v for v, _ in values) if side == "min" else min(v for v, _ in values)
    ids = tuple(dict.fromkeys(cid for v, cid in values if close(v, best)))
    return Bound(best, ids, severity)


def _soft_outside_hard(
    soft: Sequence[_Converted], low: Bound | None, high: Bound | None, unit: str | None
) -> list[Issue]:
    issues = []
    for x in soft:
        cid = x.contribution.constraint_id
        for side in ("min", "max"):
            value = getattr(x, side)
            if value is None:
                continue
            if low and value < low.value and not close(value, low.value):
                beyond, hard = "below the hard min", low
            elif high and value > high.value and not close(value, high.value):
                beyond, hard = "above the hard max", high
            else:
                continue
            effect = (
                "the hard limit governs"
                if (side == "min") == (hard is low)
                else "the target cannot be met without breaking it"
            )
            issues.append(
                Issue(
                    "soft_outside_hard",
                    (cid, *hard.constraint_ids),
                    f"soft {side} {value:g} {unit} of {cid} is {beyond} {hard.value:g} {unit} "
                    f"({', '.join(hard.constraint_ids)}): {effect}",
                )
            )
    return issues


def _targets(
    soft: Sequence[_Converted], low: Bound | None, high: Bound | None, unit: str | None
) -> tuple[Bound | None, Bound | None, Issue | None]:
    """The soft range intersected with the hard range. A side without a soft bound has no
    target (the hard bound already says it); targets that cannot be met are None."""
    soft_low, soft_high = _tightest(soft, "min", SOFT), _tightest(soft, "max", SOFT)
    if not (soft_low or soft_high) or _empty(low, high):
        return None, None, None  # a hard conflict leaves nothing to aim for
    if soft_low and soft_high and _empty(soft_low, soft_high):
        ids = tuple(dict.fromkeys((*soft_low.constraint_ids, *soft_high.constraint_ids)))
        message = (
            f"the soft targets contradict each other: min {soft_low.value:g} {unit} "
            f"({', '.join(soft_low.constraint_ids)}) is above max {soft_high.value:g} {unit} "
            f"({', '.join(soft_high.constraint_ids)})"
        )
        return None, None, Issue("soft_empty", ids, message)
    target_low = _inner(soft_low, low, "min") if soft_low else None
    target_high = _inner(soft_high, high, "max") if soft_high else None
    if _empty(target_low or low, target_high or high):
        # a soft min above the hard max (or the reverse): `soft_outside_hard` says so
        return None, None, None
    return target_low, target_high, None


def _empty(low: Bound | None, high: Bound | None) -> bool:
    return bool(low and high and low.value > high.value and not close(low.value, high.value))


def _inner(soft: Bound, hard: Bound | None, side: Side) -> Bound:
    """The tighter of a soft and a hard bound on the same side."""
    if hard is None:
        return soft
    tighter = soft.value > hard.value if side == "min" else soft.value < hard.value
    return soft if tighter or close(soft.value, hard.value) else hard
