"""From a source address to the twin point it updates, with the rule that governs it."""

from __future__ import annotations

from dataclasses import dataclass

from graphtwin.errors import InputError, SourceLocation
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import Binding, BindingsFile, SyncRule


@dataclass(frozen=True, slots=True)
class Route:
    twin_id: str
    rule_name: str | None
    rule: SyncRule
    current_at_ms: int | None = None  # the time of the value the graph held when it was made


RouteKey = tuple[str, str]  # (source_id, source address)


class UnboundPointError(InputError):
    """A binding names a point the twin does not hold (by twin_id or Brick timeseries id)."""


def resolve_routes(store: TwinStore, spec: BindingsFile, file: str) -> dict[RouteKey, Route]:
    """Every binding's point found in the graph, or an UnboundPointError naming the first that
    is not: a sync never starts half-bound."""
    refs = [_ref(i, b) for i, b in enumerate(spec.bindings)]
    found = {r["key"]: r for r in store.read("telemetry/points_resolve", refs=refs)}
    routes: dict[RouteKey, Route] = {}
    for i, binding in enumerate(spec.bindings):
        row = found.get(str(i))
        if row is None:
            point = binding.point.twin_id or f"ref {binding.point.ref!r}"
            raise UnboundPointError(
                f"point {point} is not a point of the twin (import the model first?)",
                location=SourceLocation(file),
                entity=f"binding {binding.source} {binding.source_address}",
            )
        name = binding.rule or ("default" if "default" in spec.rules else None)
        routes[(binding.source, binding.source_address)] = Route(
            row["twin_id"], name, spec.rule_of(binding), row["value_at_ms"]
        )
    return routes


def _ref(index: int, binding: Binding) -> dict[str, str | None]:
    return {"key": str(index), "twin_id": binding.point.twin_id, "ref": binding.point.ref}
