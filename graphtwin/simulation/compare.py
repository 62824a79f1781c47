"""Action against inaction: rank the simulated variants and say why, in one line each.

Variants are ranked by comfort first, then money: fewer hard-constraint violation hours, then
fewer violation hours in all, then fewer zones affected, then lower cost, then lower energy.
Each ranking names the zone and the constraint that decided it: the zone with the longest
violation in that variant, or, for a variant without any, the zone whose violation it avoids.

>>> from graphtwin.simulation.result import Impact, Outcome
>>> quiet = Impact((), (), ())
>>> a = Outcome("inaction", quiet, (), (), 2.0, ("z1",), 10.0, 2.0, 1.0, 0.8)
>>> b = Outcome("cool harder", quiet, (), (), 0.0, (), 14.0, 3.0, 1.4, 0.8)
>>> [r.name for r in rank_outcomes([a, b])]
['cool harder', 'inaction']
"""

from __future__ import annotations

from collections.abc import Sequence

from graphtwin.simulation.result import INACTION, Outcome, Ranked, ViolationSpan


def rank_outcomes(outcomes: Sequence[Outcome]) -> tuple[Ranked, ...]:
    """The variants best first, each with its one-line because."""
    ordered = sorted(outcomes, key=_key)
    baseline = next((o for o in outcomes if o.name == INACTION), None)
    return tuple(
        Ranked(rank=i + 1, name=o.name, because=because(o, baseline)) for i, o in enumerate(ordered)
    )


def _key(o: Outcome) -> tuple[float, float, int, float, float, str]:
    hard = sum(v.duration_s for v in o.violations if v.severity == "hard") / 3600.0
    return (
        round(hard, 6),
        round(o.violation_hours, 6),
        len(o.zones_affected),
        round(o.cost, 6),
        round(o.energy_kwh, 6),
        o.name,
    )


def worst_violation(o: Outcome) -> ViolationSpan | None:
    """The variant's longest violation (hard before soft), None when it has none."""
    if not o.violations:
        return None
    return max(o.violations, key=lambda v: (v.severity == "hard", v.duration_s, v.node))


def describe_span(v: ViolationSpan) -> str:
    """`Core_mid air_temperature above max 26 degC (office-comfort) for 2.5 h`."""
    side = "above max" if v.bound == "max" else "below min"
    unit = f" {v.unit}" if v.unit else ""
    return (
        f"{v.node} {v.property} {side} {v.limit:g}{unit} ({', '.join(v.constraint_ids)}) "
        f"for {v.duration_s / 3600:.1f} h"
    )


def because(o: Outcome, baseline: Outcome | None) -> str:
    """One line: what the variant does to comfort and money against inaction, naming the zone
    and the constraint (the worst violation it avoids, the worst it still has)."""
    money = f"{o.energy_kwh:.1f} kWh, {o.cost:.2f} cost, {o.co2_kg:.1f} kg CO2"
    worst = worst_violation(o)
    parts = []
    if worst is None:
        parts.append("no comfort violation within the horizon")
    else:
        parts.append(
            f"{o.violation_hours:.1f} comfort-violation hours in {len(o.zones_affected)} zone(s)"
        )
    if baseline is not None and baseline is not o:
        parts[0] += f" (inaction: {baseline.violation_hours:.1f} h)"
        kept = set(o.zones_affected)
        gone = [v for v in baseline.violations if v.node not in kept]
        if gone:
            avoided = max(gone, key=lambda v: (v.severity == "hard", v.duration_s, v.node))
            parts.append(f"avoids {describe_span(avoided)}")
    if worst is not None:
        parts.append(f"{'still ' if baseline is not o else ''}{describe_span(worst)}")
    return "; ".join([*parts, money])
