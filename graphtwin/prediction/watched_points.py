"""The points the early warning watches: those a bindings file gives threshold rules, as the
sync judges them (a binding's own rule, else the first selector that finds the point, else
`default`), optionally only under a root.

>>> watched = watched_points(store, read_bindings(path), str(path), root=None)  # doctest: +SKIP
>>> watched["urn:office:zone-1-temp"].thresholds.warning.high  # doctest: +SKIP
26.0
"""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.drift.rules import Strategy, Thresholds
from graphtwin.prediction.store import points_under
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import BindingsFile, SyncRule
from graphtwin.telemetry.routing import resolve_routes, selected_rules


@dataclass(frozen=True, slots=True)
class WatchedPoint:
    twin_id: str
    rule: str | None
    thresholds: Thresholds
    strategy: Strategy
    webhook: str | None = None


def watched_points(
    store: TwinStore, spec: BindingsFile, file: str, *, root: str | None
) -> dict[str, WatchedPoint]:
    """Every point with a threshold rule, by twin_id (an unbound binding is an error, as for
    `graphtwin sync`)."""
    rules: dict[str, tuple[str | None, SyncRule]] = {}
    for route in resolve_routes(store, spec, file).values():
        rules[route.twin_id] = (route.rule_name, route.rule)
    under = {p.twin_id for p in points_under(store, root)}
    for twin_id, name in selected_rules(store, spec, sorted(under - rules.keys())).items():
        rules[twin_id] = (name, spec.rules[name])
    return {
        twin_id: WatchedPoint(twin_id, name, rule.thresholds, rule.reconcile, rule.webhook)
        for twin_id, (name, rule) in sorted(rules.items())
        if rule.thresholds is not None and twin_id in under
    }
