"""A building's FEEDS network for the system view: nodes with their state, and the edges.

Built from the answer of `queries/systems.graphql`: the building's equipment, each with its
FEEDS relationships (the other end may lie outside the building's hierarchy, e.g. a VAV box
that only SERVES a room), their points' health, and the building's violations and open drift
issues. Equipment that neither feeds nor is fed is left out: it is not part of the network.

A node's state is the worst that applies, as a word (the page colours it, and writes it):
`violation` (one of its points observes a value outside a constraint), `critical drift`,
`drift` (an open drift issue on it or its points), then its points' worst value state
(`bad`, `stale`, `uncertain`, `ok`; of the points that have a value), or `no value`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphtwin.web.health import state_of, worst

NETWORK_STATES = (
    "ok",
    "no value",
    "uncertain",
    "stale",
    "bad",
    "drift",
    "critical drift",
    "violation",
)
"""Every state a node of the network can be in, best first (the legend's order)."""


@dataclass
class NetworkNode:
    twin_id: str
    name: str
    kind: str | None
    brick_class: str | None
    points: list[Mapping[str, Any]] = field(default_factory=list)
    state: str = "no value"
    reasons: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    fed_by: list[str] = field(default_factory=list)


@dataclass
class Network:
    nodes: dict[str, NetworkNode]
    edges: list[tuple[str, str]]

    def name_of(self, twin_id: str) -> str:
        node = self.nodes.get(twin_id)
        return node.name if node else twin_id

    def to_json(self) -> dict[str, Any]:
        """What static/systems.js draws (cytoscape elements' data); a node's `points` let it
        find the node a violation (loaded after the page) is observed by."""
        return {
            "nodes": [
                {
                    "id": n.twin_id,
                    "name": n.name,
                    "kind": n.kind,
                    "state": n.state,
                    "points": [p["twinId"] for p in n.points],
                }
                for n in self.nodes.values()
            ],
            "edges": [{"source": a, "target": b} for a, b in self.edges],
        }

    def judge(
        self,
        points: Mapping[str, list[Mapping[str, Any]]],
        violations: Iterable[Mapping[str, Any]],
        drift_issues: Iterable[Mapping[str, Any]],
    ) -> None:
        """Each node's state from its `points` (by node: `{twinId, current {health quality}}`
        each), the `violations` its points observe and the open `drift_issues` on it or them."""
        nodes = self.nodes
        for twin_id, found in points.items():
            if twin_id in nodes:
                nodes[twin_id].points = list(found)
        owner = {p["twinId"]: n.twin_id for n in nodes.values() for p in n.points}
        owner.update({twin_id: twin_id for twin_id in nodes})
        broken: dict[str, list[str]] = {}
        for violation in violations:
            at = owner.get(violation.get("point") or "") or owner.get(violation.get("twinId") or "")
            if at is not None:
                broken.setdefault(at, []).append(violation.get("description") or "a violation")
        drift: dict[str, list[Mapping[str, Any]]] = {}
        for issue in drift_issues:
            at = owner.get(issue.get("twinId") or "")
            if at is not None:
                drift.setdefault(at, []).append(issue)
        for node in nodes.values():
            values = worst(
                s for p in node.points if (s := state_of(p.get("current"))) != "no value"
            )
            node.state = values or "no value"
            if values not in (None, "ok"):
                node.reasons.append(f"a point's value is {values}")
            issues = drift.get(node.twin_id, [])
            if issues:
                critical = any(i.get("severity") == "critical" for i in issues)
                node.state = "critical drift" if critical else "drift"
                kinds = sorted({str(i.get("type")) for i in issues})
                node.reasons.insert(0, f"{len(issues)} open drift issue(s): {', '.join(kinds)}")
            if node.twin_id in broken:
                node.state = "violation"
                node.reasons[:0] = broken[node.twin_id]


def build_network(equipment: Iterable[Mapping[str, Any]]) -> Network:
    """The network of `equipment` (`descendants` of the building, each with `relationships`
    of type FEEDS): the nodes that feed or are fed, and the links, each once. Their state
    comes with `Network.judge`.

    >>> net = build_network(
    ...     [{"twinId": "ahu", "name": "AHU", "relationships": [
    ...         {"direction": "OUT", "other": {"twinId": "vav", "name": "VAV"}}]}])
    >>> net.judge({}, [], [{"twinId": "vav", "type": "threshold", "severity": "warning"}])
    >>> net.edges, net.nodes["vav"].state, net.nodes["ahu"].feeds
    ([('ahu', 'vav')], 'drift', ['vav'])
    """
    answers: dict[str, Mapping[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for item in equipment:
        answers[item["twinId"]] = item
        for relationship in item.get("relationships") or ():
            a, b = item["twinId"], relationship["other"]["twinId"]
            answers.setdefault(b, relationship["other"])
            edges.add((a, b) if relationship["direction"] == "OUT" else (b, a))
    linked = {twin_id for edge in edges for twin_id in edge}
    nodes = {twin_id: _node(answers[twin_id]) for twin_id in linked}
    for source, target in sorted(edges):
        nodes[source].feeds.append(target)
        nodes[target].fed_by.append(source)
    return Network(nodes=dict(sorted(nodes.items(), key=_order)), edges=sorted(edges))


def _order(item: tuple[str, NetworkNode]) -> tuple[str, str]:
    return (item[1].name.casefold(), item[0])


def _node(data: Mapping[str, Any]) -> NetworkNode:
    twin_id = data["twinId"]
    return NetworkNode(
        twin_id=twin_id,
        name=data.get("name") or twin_id,
        kind=data.get("kind"),
        brick_class=data.get("brickClass"),
    )
