"""Which points are physically related, from the twin's graph.

Each point hangs on a parent (`HAS_POINT`); the parent belongs to a *group*: the farthest
equipment upstream of it through `HAS_PART` and `FEEDS` (a zone fed by a terminal fed by an
AHU belongs to the AHU's group; a coil that is part of the AHU too). Points of one kind in one
group are siblings; points of one kind in the building are peers. Built from a `TwinGraph`
(`from_graph`) or from the rows of `cypher/behaviour/points.cypher` (`from_rows`), so it works
for any building the twin holds.

>>> rel = Relations.from_rows([
...     {"twin_id": "z1/t", "brick_class": "Zone_Air_Temperature_Sensor", "unit": "degC",
...      "name": "z1 temp", "parent": "z1", "parent_kind": "Zone", "group": "ahu1"},
...     {"twin_id": "z2/t", "brick_class": "Zone_Air_Temperature_Sensor", "unit": "degC",
...      "name": "z2 temp", "parent": "z2", "parent_kind": "Zone", "group": "ahu1"}])
>>> rel.siblings("z1/t")
['z2/t']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphtwin.model import TwinGraph
from graphtwin.prediction.kinds import PointKind, point_kind

SENSOR_KINDS = frozenset(
    {
        PointKind.ZONE_TEMPERATURE,
        PointKind.SUPPLY_TEMPERATURE,
        PointKind.OUTDOOR_TEMPERATURE,
        PointKind.HUMIDITY,
    }
)
"""Kinds whose points are measurements a faulty sensor could spoil (temperatures, humidity)."""

EQUIPMENT_KINDS = frozenset(
    {PointKind.STATUS, PointKind.SETPOINT, PointKind.POWER, PointKind.FLOW, PointKind.POSITION}
)
"""Kinds that follow what the equipment does: a change there is a change in behaviour."""


@dataclass(frozen=True, slots=True)
class PointInfo:
    twin_id: str
    kind: PointKind
    brick_class: str | None
    parent: str | None
    parent_kind: str | None
    group: str | None
    """The farthest equipment upstream of the parent (its AHU); the parent itself when none."""


class Relations:
    """Points with their kinds, parents and groups, and the related points of each."""

    def __init__(self, points: Iterable[PointInfo]) -> None:
        self.points: dict[str, PointInfo] = {p.twin_id: p for p in points}
        self._by_parent: dict[str | None, list[str]] = defaultdict(list)
        self._by_group: dict[str | None, list[str]] = defaultdict(list)
        for p in sorted(self.points.values(), key=lambda p: p.twin_id):
            self._by_parent[p.parent].append(p.twin_id)
            self._by_group[p.group].append(p.twin_id)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> Relations:
        """From rows with twin_id, brick_class, unit, name, parent, parent_kind and group."""
        return cls(
            PointInfo(
                twin_id=str(r["twin_id"]),
                kind=point_kind(r.get("brick_class"), r.get("unit"), r.get("name")),
                brick_class=r.get("brick_class"),
                parent=r.get("parent"),
                parent_kind=r.get("parent_kind"),
                group=r.get("group") or r.get("parent"),
            )
            for r in rows
        )

    @classmethod
    def from_graph(cls, graph: TwinGraph) -> Relations:
        """From an imported twin graph (before or without loading it)."""
        parent_of: dict[str, str] = {}
        upstream: dict[str, set[str]] = defaultdict(set)
        for rel in graph.iter_relationships():
            if rel.type == "HAS_POINT":
                parent_of[rel.end] = rel.start
            elif rel.type in ("HAS_PART", "FEEDS"):
                start = graph.nodes.get(rel.start)
                if start is not None and start.kind == "Equipment":
                    upstream[rel.end].add(rel.start)
        rows = []
        for node in graph.nodes.values():
            if node.kind != "Point":
                continue
            parent = parent_of.get(node.twin_id)
            parent_node = graph.nodes.get(parent) if parent else None
            rows.append(
                {
                    "twin_id": node.twin_id,
                    "brick_class": node.properties.get("brick_class"),
                    "unit": node.properties.get("unit"),
                    "name": node.name,
                    "parent": parent,
                    "parent_kind": parent_node.kind if parent_node else None,
                    "group": _farthest_upstream(parent, upstream) if parent else None,
                }
            )
        return cls.from_rows(rows)

    def kind(self, twin_id: str) -> PointKind:
        return self.points[twin_id].kind

    def of_kind(self, kind: PointKind) -> list[str]:
        return sorted(p.twin_id for p in self.points.values() if p.kind is kind)

    def siblings(self, twin_id: str) -> list[str]:
        """Other points of the same kind in the same group."""
        me = self.points[twin_id]
        return [
            t for t in self._by_group[me.group] if t != twin_id and self.points[t].kind is me.kind
        ]

    def peers(self, twin_id: str) -> list[str]:
        """Other points of the same kind (in the building these relations were read for)."""
        me = self.points[twin_id]
        return [t for t in self.of_kind(me.kind) if t != twin_id]

    def in_group_of_kind(self, twin_id: str, kind: PointKind) -> list[str]:
        """The points of `kind` in the group of `twin_id` (a fan status's air flows)."""
        group = self.points[twin_id].group
        return [t for t in self.in_group(group) if self.points[t].kind is kind]

    def on_parent(self, parent: str | None) -> list[str]:
        return list(self._by_parent.get(parent, []))

    def in_group(self, group: str | None) -> list[str]:
        return list(self._by_group.get(group, []))

    def context(self, twin_id: str) -> list[str]:
        """The points that describe what drives this one: the other points of its parent and
        of its group (the AHU's fans, coils, flows, the zone's setpoints)."""
        me = self.points[twin_id]
        near = self.on_parent(me.parent) + self.in_group(me.group)
        return sorted({t for t in near if t != twin_id})

    def parents_like(self, twin_id: str) -> list[str]:
        """Parents holding a point of this point's kind (candidates for a point hung on the
        wrong parent), its own included."""
        me = self.points[twin_id]
        return sorted(
            {
                p.parent
                for p in self.points.values()
                if p.parent is not None and p.parent_kind == me.parent_kind and p.kind is me.kind
            }
        )

    def parent_context(self, parent: str, exclude: str) -> list[str]:
        """The points describing a parent: its own points and its group's, `exclude` left out."""
        group = next((p.group for p in self.points.values() if p.parent == parent), None)
        near = self.on_parent(parent) + (self.in_group(group) if group != parent else [])
        return sorted({t for t in near if t != exclude})


def _farthest_upstream(start: str, upstream: Mapping[str, set[str]]) -> str:
    """The equipment farthest upstream of `start` (breadth first, ties by id); `start` if none."""
    best, frontier, seen = start, [start], {start}
    while frontier:
        nxt = sorted({u for f in frontier for u in upstream.get(f, ()) if u not in seen})
        if nxt:
            best = nxt[0]
        seen.update(nxt)
        frontier = nxt
    return best
