"""The twin's points a suggestion may bind, read from the graph (cypher/telemetry/suggest_points*).

A point's properties may hold a list where a model gave several values (two timeseries ids):
the matcher takes the first. `spell_reference`, given, turns a point's `bacnet_*` properties
into the reference a BACnet discovery reports (the BACnet connector's `bacnet_reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphtwin.errors import TwinNotFoundError
from graphtwin.store import TwinStore
from graphtwin.telemetry.suggest.match import PointInfo

ReferenceSpeller = Callable[[Mapping[str, object]], str | None]


def read_points(
    store: TwinStore, within: str | None = None, spell_reference: ReferenceSpeller | None = None
) -> list[PointInfo]:
    """The live points of the twin, or of the subtree of `within` (TwinNotFoundError when no
    such node), ordered by twin_id."""
    if within is None:
        rows = store.read("telemetry/suggest_points")
    elif not store.exists(within):
        raise TwinNotFoundError(within)
    else:
        rows = store.read("telemetry/suggest_points_within", within=within)
    return [point_info(row, spell_reference) for row in rows]


def point_info(row: Mapping[str, Any], spell_reference: ReferenceSpeller | None) -> PointInfo:
    """One row of the statement as the matcher's PointInfo.

    >>> point_info({"twin_id": "urn:p", "name": None, "unit": ["DEG_C", "K"],
    ...             "timeseries_id": "ahu2/sat", "brick_class": None, "bacnet": []}, None).unit
    'DEG_C'
    """
    bacnet = {key: value for key, value in row.get("bacnet") or ()}
    reference = spell_reference(bacnet) if spell_reference and bacnet else None
    return PointInfo(
        twin_id=row["twin_id"],
        name=_first(row.get("name")) or "",
        timeseries_id=_first(row.get("timeseries_id")),
        brick_class=_first(row.get("brick_class")),
        unit=_first(row.get("unit")),
        references=frozenset({reference} if reference else ()),
    )


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if value is None else str(value)
