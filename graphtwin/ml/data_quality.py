"""Gaps that are a source's habit, reported once per building as a data-quality summary.

A model file that places none of its equipment, or whose points hang from no equipment because
it describes none, does not have hundreds of defects: it has one habit. Per building (scope,
`graphtwin.ml.scopes`) and per gap, when more than `HABIT_SHARE` of the nodes that could have
the gap have it (and at least `MIN_HABIT` do), the per-node findings of that gap are replaced
by one `data_quality` finding on the building's top node, with the counts and a sample of the
nodes in its evidence. Fewer than that, the gap is the exception in a building that otherwise
does it right, so each node is a finding worth a look.

The gaps and who could have them:
- `point_without_equipment`: the building's points;
- `equipment_without_location`: its equipment;
- `vav_fed_by_nothing`: its VAV boxes;
- `vocabulary_violation` of one pattern (an Entity FEEDS a Point): seen from either end, the
  nodes of the start kind that start a relationship of that type, or those of the end kind
  that end one (most of the points anything feeds are fed by unknown entities: a habit);
- `name_contradicts_class` of one shape (Supply_Air_Flow_Sensor nodes whose names say "zone":
  "flow_sensor_hvac_zone_C180" names the zone the sensor serves): the nodes declared that class.
  A building that names most of a class that way has a naming convention, not mislabels.

Example: a Brick file of 360 points of which 349 are the point of no equipment yields one
finding "data quality of source brick:rice.ttl: 349 of 360 Point nodes: point of no equipment"
instead of 349.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.features import kinds
from graphtwin.ml.rules import vavs
from graphtwin.ml.tensors import GraphArrays, relationship_types

HABIT_SHARE = 0.5
MIN_HABIT = 3
SAMPLE = 10
RULE = "data_quality"
GAP_RULES = frozenset(
    {
        "point_without_equipment",
        "equipment_without_location",
        "vav_fed_by_nothing",
        "vocabulary_violation",
        "name_contradicts_class",
    }
)


@dataclass(frozen=True, slots=True)
class Gap:
    rule: str
    what: str  # "Point nodes", "Point-HAS_POINT->Equipment", ...
    members: list[str]  # twin_ids of the findings folded into the summary
    count: int  # how many nodes have the gap
    of: int  # how many could have it


def summarise(arrays: GraphArrays, findings: list[Finding]) -> list[Finding]:
    """`findings` with every habitual gap of a building replaced by that building's one
    `data_quality` finding (the other findings as they are, in their order)."""
    candidates: dict[tuple[Part, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.rule in GAP_RULES and f.twin_id in arrays.index:
            candidates[(_part(arrays, arrays.index[f.twin_id]), f.rule, _what(f))].append(f)
    habits: dict[Part, list[Gap]] = defaultdict(list)
    summarised: set[int] = set()
    for (part, rule, what), found in sorted(candidates.items()):
        count, of = _share(arrays, _inside(arrays, part), rule, what, len(found))
        if count >= MIN_HABIT and count > HABIT_SHARE * of:
            habits[part].append(Gap(rule, what, [f.twin_id for f in found], count, of))
            summarised.update(id(f) for f in found)
    kept = [f for f in findings if id(f) not in summarised]
    return kept + [_summary(arrays, part, gaps) for part, gaps in sorted(habits.items())]


Part = tuple[int, str]
"""A building (its `graph_of`) and one source of it: a habit is one source's."""


def _part(arrays: GraphArrays, row: int) -> Part:
    return int(arrays.graph_of[row]), arrays.source_of[row] if arrays.source_of else ""


def _inside(arrays: GraphArrays, part: Part) -> np.ndarray:
    inside = arrays.graph_of == part[0]
    if arrays.source_of:
        inside &= np.array(arrays.source_of) == part[1]
    return inside


def _what(finding: Finding) -> str:
    e = finding.evidence
    if finding.rule == "vocabulary_violation":
        return str(e["patterns"][0])
    if finding.rule == "name_contradicts_class":
        return (
            f"{e['declared']} nodes named {'/'.join(e['name_says'])} "
            f"(class says {'/'.join(e['class_says'])})"
        )
    return {
        "point_without_equipment": "Point nodes",
        "equipment_without_location": "Equipment nodes",
        "vav_fed_by_nothing": "VAV boxes",
    }[finding.rule]


def _share(
    arrays: GraphArrays, inside: np.ndarray, rule: str, what: str, found: int
) -> tuple[int, int]:
    """How many of the nodes `inside` have the gap, and how many could have it."""
    kind_names = kinds()
    if rule == "vav_fed_by_nothing":
        return found, int(inside[vavs(arrays)].sum())
    if rule == "name_contradicts_class":
        declared = class_vocabulary().lookup(what.split()[0])
        return found, int((inside & (arrays.classes == declared)).sum())
    if rule != "vocabulary_violation":
        kind = kind_names.index(what.split()[0])
        return found, int((inside & (arrays.kinds == kind)).sum())
    # a pattern is a habit seen from either end: most of the points anything FEEDS are fed by
    # an unknown entity, or most of the points that start a HAS_POINT start it to equipment
    start, rest = what.split("-", 1)
    rel_name, end = rest.split("->")
    rel = relationship_types().index(rel_name)
    e = arrays.edges[(arrays.edges[:, 1] == rel) & inside[arrays.edges[:, 0]]]
    sk, ek = kind_names.index(start), kind_names.index(end)
    of_start, of_end = e[arrays.kinds[e[:, 0]] == sk], e[arrays.kinds[e[:, 2]] == ek]
    pattern = of_start[arrays.kinds[of_start[:, 2]] == ek]
    sides = [
        (len(np.unique(pattern[:, c])), len(np.unique(side[:, c])))
        for c, side in ((0, of_start), (2, of_end))
    ]
    return max(sides, key=lambda s: s[0] / max(s[1], 1))


def anchor(arrays: GraphArrays, part: Part) -> int:
    """The row a source's summary in a building is attached to: the building's node when the
    source defines it, else the source's top node there (a Building before a Floor, a Site
    before both; the first twin_id among equals)."""
    rows = np.flatnonzero(_inside(arrays, part)).tolist()
    named = arrays.index.get(arrays.names[part[0]]) if part[0] < len(arrays.names) else None
    if named in rows:
        return int(named)
    return int(min(rows, key=lambda r: (int(arrays.kinds[r]), arrays.twin_ids[r])))


def _summary(arrays: GraphArrays, part: Part, gaps: list[Gap]) -> Finding:
    scope, source = part
    name = arrays.names[scope] if scope < len(arrays.names) else str(scope)
    if source and source not in name:
        name = f"{source} in {name}"
    described = "; ".join(f"{g.count} of {g.of} {g.what}: {g.rule.replace('_', ' ')}" for g in gaps)
    return Finding(
        arrays.twin_ids[anchor(arrays, part)],
        DriftType.STRUCTURAL,
        RULE,
        Severity.WARNING,
        f"data quality of {name}: {described}",
        evidence={
            "rule": RULE,
            "scope": name,
            "source": source,
            "count": sum(len(g.members) for g in gaps),
            "gaps": [
                {
                    "rule": g.rule,
                    "what": g.what,
                    "count": g.count,
                    "of": g.of,
                    "sample": g.members[:SAMPLE],
                }
                for g in gaps
            ],
        },
    )
