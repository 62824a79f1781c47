"""How the inbox ranks what needs attention: score = impact x urgency, each factor shown.

**Impact** is how much is at stake, times how critical it is:

    impact = criticality x (1 + zones + 2 x hard constraints + soft constraints + people / 10)

- `criticality`: 3 for a `critical` issue or a broken `hard` constraint, 2 for a `warning` or a
  `soft` one, 1 otherwise;
- `zones`: the spaces and zones affected: the entity itself, what it feeds (FEEDS, transitively),
  what those serve (SERVES), the space it is located in, and the spaces of an affected zone;
- `constraints`: the constraints and regulations that apply to the entity or to an affected
  zone (APPLIES_TO), hard ones (and regulations) counting twice;
- `people`: the occupancy (`occupancy_max`) of the affected spaces.

**Urgency** is how soon it bites, or how long it has been biting:

- a condition expected at a time (a forecast crossing, a what-if's first violation), `h` hours
  away: `4 x 6 / (6 + h)`, times the forecast's probability when it has one (4 when it is due,
  2 six hours out, 0.8 a day out);
- a condition that holds now (a threshold, stale value, behaviour, constraint violation),
  for `h` hours: `4 + min(h, 72) / 24` (4 to 7: what has lasted longer ranks higher);
- a latent defect with no clock (a model's structural or semantic drift, a single point of
  failure): `1 + min(days, 30) / 30`.

Ties keep a stable order: by score, then criticality, then the item's id.

>>> from types import SimpleNamespace as Item
>>> impact = Impact(criticality=2, zones=1)
>>> slow = Item(item_id="slow", impact=impact, urgency=Urgency.expected(hours=48.0))
>>> fast = Item(item_id="fast", impact=impact, urgency=Urgency.expected(hours=1.0))
>>> [item.item_id for item in rank([slow, fast])]
['fast', 'slow']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

SEVERITY_CRITICALITY = {"critical": 3.0, "hard": 3.0, "warning": 2.0, "soft": 2.0}
"""A severity (drift) or constraint severity (reasoning) as a criticality factor."""

DUE_SCALE_H = 6.0
NOW = 4.0
LASTED_CAP_H = 72.0
LATENT_CAP_DAYS = 30.0


def criticality(severity: str | None) -> float:
    """A severity's criticality factor.

    >>> criticality("critical"), criticality("warning"), criticality(None)
    (3.0, 2.0, 1.0)
    """
    return SEVERITY_CRITICALITY.get(severity or "", 1.0)


@dataclass(frozen=True, slots=True)
class Impact:
    """What is at stake, and how critical: see the module."""

    criticality: float
    zones: int = 0
    people: int = 0
    hard_constraints: int = 0
    soft_constraints: int = 0

    @property
    def reach(self) -> float:
        return (
            1.0
            + self.zones
            + 2.0 * self.hard_constraints
            + self.soft_constraints
            + self.people / 10.0
        )

    @property
    def score(self) -> float:
        return round(self.criticality * self.reach, 3)

    def explain(self) -> str:
        """The score with every factor.

        >>> Impact(3, zones=2, people=16, hard_constraints=1).explain()[:47]
        'impact 19.8 = criticality 3 x (1 + 2 zones + 2 '
        """
        return (
            f"impact {self.score:g} = criticality {self.criticality:g} x (1 + {self.zones} zones"
            f" + 2 x {self.hard_constraints} hard + {self.soft_constraints} soft constraints"
            f" + {self.people} people / 10)"
        )


@dataclass(frozen=True, slots=True)
class Urgency:
    """How soon, or for how long: see the module. `hours` is the time to the expected crossing
    (`expected`), how long the condition has held (`ongoing`), or its age (`latent`)."""

    clock: str
    """`expected`, `ongoing` or `latent`."""
    hours: float
    probability: float | None = None

    @classmethod
    def expected(cls, hours: float, probability: float | None = None) -> Urgency:
        return cls("expected", max(hours, 0.0), probability)

    @classmethod
    def ongoing(cls, hours: float) -> Urgency:
        return cls("ongoing", max(hours, 0.0))

    @classmethod
    def latent(cls, hours: float) -> Urgency:
        return cls("latent", max(hours, 0.0))

    @property
    def score(self) -> float:
        if self.clock == "expected":
            due = NOW * DUE_SCALE_H / (DUE_SCALE_H + self.hours)
            return round(due * (1.0 if self.probability is None else self.probability), 3)
        if self.clock == "ongoing":
            return round(NOW + min(self.hours, LASTED_CAP_H) / 24.0, 3)
        return round(1.0 + min(self.hours / 24.0, LATENT_CAP_DAYS) / LATENT_CAP_DAYS, 3)

    def explain(self) -> str:
        """The score with every factor.

        >>> Urgency.expected(6.0, probability=0.5).explain()
        'urgency 1 = expected in 6 h: 4 x 6 / (6 + 6) x probability 0.5'
        """
        if self.clock == "expected":
            p = "" if self.probability is None else f" x probability {self.probability:g}"
            return (
                f"urgency {self.score:g} = expected in {_hours(self.hours)}: "
                f"4 x 6 / (6 + {self.hours:.3g}){p}"
            )
        if self.clock == "ongoing":
            return (
                f"urgency {self.score:g} = ongoing for {_hours(self.hours)}: "
                f"4 + min({self.hours:.3g}, 72) / 24"
            )
        return (
            f"urgency {self.score:g} = no deadline, found {_hours(self.hours)} ago: "
            f"1 + min({self.hours / 24.0:.3g} days, 30) / 30"
        )


def score(impact: Impact, urgency: Urgency) -> float:
    """Impact x urgency.

    >>> score(Impact(2, zones=1), Urgency.ongoing(0))
    16.0
    """
    return round(impact.score * urgency.score, 3)


class Rankable(Protocol):
    @property
    def item_id(self) -> str: ...
    @property
    def impact(self) -> Impact: ...
    @property
    def urgency(self) -> Urgency: ...


R = TypeVar("R", bound=Rankable)


def rank(items: Iterable[R]) -> list[R]:
    """Highest score first; ties by criticality, then item id (so the order is the same at
    every call, whatever order the items came in)."""
    return sorted(
        items, key=lambda i: (-score(i.impact, i.urgency), -i.impact.criticality, i.item_id)
    )


def _hours(hours: float) -> str:
    """Hours as a person reads them.

    >>> _hours(0.5), _hours(5), _hours(49)
    ('30 min', '5 h', '2.0 days')
    """
    if hours < 1.0:
        return f"{round(hours * 60)} min"
    if hours < 48.0:
        return f"{hours:.3g} h"
    return f"{hours / 24.0:.1f} days"
