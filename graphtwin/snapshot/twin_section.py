"""The `digital_twin` section's parts: entities as the snapshot shows them, the twin's domain,
its fidelity, and picking times out of ISO text. Pure functions over rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from graphtwin.snapshot.inputs import Row

LIVE_KEYS = frozenset({"value", "value_at", "value_quality", "value_source", "health"})
"""What telemetry writes on a point: state, shown as dynamic_state, not as attributes."""
_IDENTITY_KEYS = frozenset({"twin_id", "kind"})
"""Shown as the entity's twin_id and type, so not repeated among its attributes."""
PHYSICAL_ID_KEYS = ("uri", "ifc_guid", "isa95_id", "timeseries_id")
"""Identifiers that name the thing outside the twin, in order of preference."""
_BUILDING_KINDS = frozenset({"Building", "Floor", "Space"})


def entity(row: Row) -> dict[str, Any]:
    """One twin node as the snapshot lists it: who it is outside the twin, what it is, what
    sources say about it, and (for points) its live value."""
    props: dict[str, Any] = row["props"]
    return {
        "physical_id": physical_id(props),
        "twin_id": row["twin_id"],
        "type": {"kind": row["kind"], "brick_class": props.get("brick_class")},
        "static_attributes": _static(props),
        "dynamic_state": _dynamic(props) if is_point(row) else None,
        "last_updated": row.get("last_updated"),
        "source_attribution": {
            "asserted_by": sorted(row.get("sources") or []),
            "value_source": props.get("value_source"),
        },
        "health": props.get("health"),
    }


def physical_id(props: dict[str, Any]) -> str | None:
    return next((str(props[k]) for k in PHYSICAL_ID_KEYS if props.get(k) is not None), None)


def is_point(row: Row) -> bool:
    return bool(row["kind"] == "Point")


def is_healthy_point(row: Row) -> bool:
    """A point the twin mirrors right now: it has a value and its health is ok."""
    props = row["props"]
    return is_point(row) and props.get("value_at") is not None and props.get("health") == "ok"


def _static(props: dict[str, Any]) -> dict[str, Any]:
    kept = {
        k: v
        for k, v in props.items()
        if v is not None and k not in LIVE_KEYS and k not in _IDENTITY_KEYS
    }
    ordered = {"name": kept.pop("name")} if "name" in kept else {}
    return ordered | dict(sorted(kept.items()))


def _dynamic(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": props.get("value"),
        "unit": props.get("unit"),
        "quality": props.get("value_quality"),
        "timestamp": props.get("value_at"),
    }


def domain(entities: Iterable[Row]) -> str | None:
    """`building` when spatial kinds are present, `industrial` when ISA-95 levels or ids are,
    `mixed` for both; None when neither says (a twin of equipment and points only)."""
    building = industrial = False
    for row in entities:
        props = row["props"]
        isa95 = props.get("isa95_level") is not None or props.get("isa95_id") is not None
        industrial = industrial or isa95
        building = (
            building or row["kind"] in _BUILDING_KINDS or (row["kind"] == "Site" and not isa95)
        )
    if building and industrial:
        return "mixed"
    if building:
        return "building"
    if industrial:
        return "industrial"
    return None


def fidelity(entities: list[Row]) -> dict[str, Any]:
    """How closely the twin mirrors reality now: the share of its points with a current,
    healthy value (a point without a value, stale or faulty does not mirror anything)."""
    points = [row for row in entities if is_point(row)]
    healthy = sum(is_healthy_point(row) for row in points)
    value = round(healthy / len(points), 3) if points else None
    return {
        "value": value,
        "label": fidelity_label(value),
        "basis": f"{healthy} of {len(points)} points have a current value with health ok",
    }


def fidelity_label(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value >= 0.9:
        return "high"
    if value >= 0.6:
        return "medium"
    return "low"


def latest(times: Iterable[str | None]) -> str | None:
    """The latest of some ISO times, as it was written (unparseable ones are skipped)."""
    return _pick(times, latest=True)


def earliest(times: Iterable[str | None]) -> str | None:
    return _pick(times, latest=False)


def _pick(times: Iterable[str | None], *, latest: bool) -> str | None:
    parsed = [(moment, text) for text in times if text and (moment := parse_time(text))]
    if not parsed:
        return None
    chosen = max(parsed) if latest else min(parsed)
    return chosen[1]


def parse_time(text: str) -> datetime | None:
    """Neo4j's ISO text of a datetime (nanoseconds, `Z`, a `[Zone/Name]` suffix) as an aware
    datetime; naive times are taken as UTC. None for anything else."""
    try:
        moment = datetime.fromisoformat(text.split("[", 1)[0])
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
