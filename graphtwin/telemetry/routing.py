"""From a source address to the twin point it updates, with the rule that governs it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphtwin.brick_hierarchy import brick_class_and_subclasses
from graphtwin.errors import InputError, SourceLocation
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import Binding, BindingsFile, PointRef, SyncRule
from graphtwin.telemetry.mqtt_topics import PointTemplate, fill_topic, has_wildcard, mqtt_address


@dataclass(frozen=True, slots=True)
class Route:
    twin_id: str
    rule_name: str | None
    rule: SyncRule
    current_at_ms: int | None = None  # the time of the value the graph held when it was made
    unit: str | None = None  # the point's unit, as the graph spells it (None: it has none)


RouteKey = tuple[str, str]  # (source_id, source address)


class UnboundPointError(InputError):
    """A binding names a point the twin does not hold (by twin_id or Brick timeseries id)."""


def resolve_routes(store: TwinStore, spec: BindingsFile, file: str) -> dict[RouteKey, Route]:
    """Every binding's point found in the graph, or an UnboundPointError naming the first that
    is not: a sync never starts half-bound. A binding that names its rule follows it; the others
    follow the first selector that finds their point, else `default`."""
    templated = {i: template_points(store, b, file) for i, b in enumerate(spec.bindings)}
    templated = {i: rows for i, rows in templated.items() if rows is not None}
    refs = [_ref(i, b) for i, b in enumerate(spec.bindings) if i not in templated]
    found = {r["key"]: r for r in store.read("telemetry/points_resolve", refs=refs)}
    for i, binding in enumerate(spec.bindings):
        if str(i) not in found and i not in templated:
            point = binding.point.twin_id or f"ref {binding.point.ref!r}"
            raise UnboundPointError(
                f"point {point} is not a point of the twin (import the model first?)",
                location=SourceLocation(file),
                entity=f"binding {binding.source} {binding.source_address}",
            )
    unnamed = [
        row["twin_id"]
        for i, b in enumerate(spec.bindings)
        if not b.rule
        for _, row in templated.get(i) or [("", found[str(i)])]
    ]
    selected = selected_rules(store, spec, unnamed)
    routes: dict[RouteKey, Route] = {}
    for i, binding in enumerate(spec.bindings):
        at = templated.get(i) or [(binding.source_address, found[str(i)])]
        for address, row in at:
            name = binding.rule or selected.get(row["twin_id"])
            rule = spec.rules[name] if name else spec.rule_of(binding)
            name = name or ("default" if "default" in spec.rules else None)
            routes[(binding.source, address)] = Route(
                row["twin_id"], name, rule, row["value_at_ms"], row["unit"]
            )
    return routes


def template_points(
    store: TwinStore, binding: Binding, file: str
) -> list[tuple[str, dict[str, Any]]] | None:
    """The points a binding with a topic template binds, each with its concrete address (the
    topic its + levels spell); None for a binding that names one point. A template that spells
    no point of the twin is an UnboundPointError."""
    if binding.topic is None or not has_wildcard(binding.topic):
        return None
    by_ref = binding.point.ref is not None
    template = PointTemplate(binding.point.ref or binding.point.twin_id or "")
    rows = store.read("telemetry/points_template", prefix=template.prefix, by_ref=by_ref)
    bound = []
    for row in rows:
        parts = template.match(row["ref" if by_ref else "twin_id"] or "")
        if parts is not None:
            topic = fill_topic(binding.topic, parts)
            bound.append((mqtt_address(topic, binding.field, None), row))
    if not bound:
        raise UnboundPointError(
            f"point template {template.text!r} spells no point of the twin",
            location=SourceLocation(file),
            entity=f"binding {binding.source} {binding.source_address}",
        )
    return bound


def selected_rules(store: TwinStore, spec: BindingsFile, twin_ids: list[str]) -> dict[str, str]:
    """The rule each of these points follows by the bindings file's selectors (the first
    selector that finds a point wins); points no selector finds are left out."""
    if not spec.selectors or not twin_ids:
        return {}
    selectors = [
        {
            "index": i,
            "classes": brick_class_and_subclasses(s.brick_class) if s.brick_class else None,
            "within": s.within,
        }
        for i, s in enumerate(spec.selectors)
    ]
    found: dict[str, int] = {}
    rows = store.read("telemetry/selector_points", selectors=selectors, twin_ids=twin_ids)
    for row in rows:
        found[row["twin_id"]] = min(row["selector"], found.get(row["twin_id"], row["selector"]))
    return {twin_id: spec.selectors[i].rule for twin_id, i in found.items()}


def _ref(index: int, binding: Binding) -> dict[str, str | None]:
    return {"key": str(index), "twin_id": binding.point.twin_id, "ref": binding.point.ref}


def with_reference_bindings(store: TwinStore, spec: BindingsFile) -> BindingsFile:
    """`spec` with a binding for every point a bacnet source with `bind_references` finds by
    its `bacnet_*` properties (a Brick model's ref:BACnetReference naming the source's device),
    unless a binding of that source already names the point or the object. The rule of such a
    binding is the selectors' or `default`, like that of any binding that names none."""
    from graphtwin.telemetry.connectors.bacnet.reference import bacnet_object

    added: list[Binding] = []
    for source in spec.sources:
        if source.type != "bacnet" or not source.bind_references:
            continue
        own = spec.bindings_of(source.id)
        points = {b.point.twin_id for b in own}
        taken = {b.source_address for b in own}
        for row in store.read("telemetry/bacnet_reference_points", device=source.device):
            found = bacnet_object(row)
            if found is None or row["twin_id"] in points:
                continue
            _, object_type, instance = found
            binding = Binding(
                source=source.id,
                point=PointRef(twin_id=row["twin_id"]),
                object_type=object_type,
                instance=instance,
            )
            if binding.source_address not in taken:
                taken.add(binding.source_address)
                added.append(binding)
    if not added:
        return spec
    return spec.model_copy(update={"bindings": [*spec.bindings, *added]})
