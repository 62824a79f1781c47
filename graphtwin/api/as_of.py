"""The API's answers as of a past time: the `asOf` of a root field, carried by every record below.

A root field given `asOf` checks the time against the twin's history (`AsOfError` outside it)
and reads its nodes with the as-of statements (`cypher/api/asof_*.cypher`), which put the time
on every node record (`as_of`). The fields under a node read it from their parents, so a whole
query answers for one time without any state on the request (two root fields may ask for two
times). A field that cannot answer for a past time (live drift, reasoning, forecasts) says so
(`AsOfUnsupportedError`) instead of answering for the present. A point's `current` at T is the
last value in the history at or before T (`HistoryStore.values_at`), shown exactly as Neo4j
shows a live one.

Example: `{ node(twinId: "ahu-1", asOf: "2026-11-21T09:30:00Z") { name points { current {
value } } } }` answers with the AHU, its points and their values as they were at 09:30 UTC.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from graphtwin.api.records import plain
from graphtwin.errors import InputError
from graphtwin.model import VERSION_KEYS
from graphtwin.store.asof import check_as_of, parse_time
from graphtwin.store.graph_writer import health_of
from graphtwin.store.version_codec import decode

if TYPE_CHECKING:
    from graphtwin.api.context import ApiContext, Fetcher

T = TypeVar("T")

AS_OF = "as_of"
"""The key of a node record that says for which time it was read (absent: the present)."""
AWARE = "__graphtwin_as_of__"
"""Set on a fetcher that answers for its parents' time."""
LIVE_VALUE_KEYS = ("value", "value_at", "value_quality", "value_source", "health")
"""A point's properties a data source sets: at a past time they come from the history."""
HIDDEN_KEYS = VERSION_KEYS
"""Bookkeeping never shown among a node's or relationship's properties."""


class AsOfUnsupportedError(InputError):
    """A field asked of a node as of a past time that only answers for the present."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} answers only for the present: ask it without asOf", entity=field)
        self.field = field


def as_of_aware(fetcher: Fetcher) -> Fetcher:
    """Mark `fetcher` as answering for its parents' time (it reads `as_of_of(parents)`)."""
    setattr(fetcher, AWARE, True)
    return fetcher


def as_of_of(parents: Sequence[Any]) -> str | None:
    """The time the parents were read for (all of them share it), None for the present."""
    first = parents[0] if parents else None
    return first.get(AS_OF) if isinstance(first, dict) else None


def guarded(fetcher: Fetcher, field: str) -> Fetcher:
    """`fetcher` for a field called `field` (Type.name): parents read for different times are
    fetched apart (strawberry gathers the parents of a field across the whole request), and a
    fetcher that is not `as_of_aware` refuses parents read for a past time."""
    aware = getattr(fetcher, AWARE, False)

    async def fetch(ctx: ApiContext, parents: Sequence[Any], **arguments: Any) -> list[Any]:
        groups: dict[str | None, list[int]] = {}
        for i, parent in enumerate(parents):
            at = parent.get(AS_OF) if isinstance(parent, dict) else None
            groups.setdefault(at, []).append(i)
        if not aware and any(at is not None for at in groups):
            raise AsOfUnsupportedError(field)
        if len(groups) <= 1:
            return await fetcher(ctx, parents, **arguments)
        parts = await asyncio.gather(
            *(fetcher(ctx, [parents[i] for i in rows], **arguments) for rows in groups.values())
        )
        results: list[Any] = [None] * len(parents)
        for rows, part in zip(groups.values(), parts, strict=True):
            for i, value in zip(rows, part, strict=True):
                results[i] = value
        return results

    fetch.__name__ = getattr(fetcher, "__name__", "fetch")
    return fetch


# -- times ---------------------------------------------------------------------------------------


def as_of_text(text: str) -> str:
    """An `asOf` as the UTC ISO text the records carry (a time without an offset is UTC, as in
    the CLI); InputError naming `asOf` when it is not a time."""
    return parse_time(text, field="asOf").isoformat()


async def check_in_history(ctx: ApiContext, as_of: str) -> None:
    """AsOfError when `as_of` lies before the twin's history or in the future."""
    [row] = await ctx.read("asof/history_start")
    start = row["start"].to_native() if row["start"] is not None else None
    check_as_of(None, instant(as_of), history=(start, datetime.now(UTC)))  # type: ignore[arg-type]


async def checked(ctx: ApiContext, as_of: str | None, work: Awaitable[T]) -> T:
    """`work`'s result, once `as_of` (None: the present) is known to be within the history;
    both run at once."""
    if as_of is None:
        return await work
    result, _ = await asyncio.gather(work, check_in_history(ctx, as_of))
    return result


@lru_cache(maxsize=64)
def instant(as_of: str) -> datetime:
    return datetime.fromisoformat(as_of)


# -- values at a time ----------------------------------------------------------------------------


async def values_at(ctx: ApiContext, twin_ids: Sequence[str], as_of: str) -> dict[str, tuple]:
    """twin_id -> (time, value, quality, source) of the last value at or before `as_of`."""
    sync = ctx.services.telemetry
    if sync is None or not twin_ids:
        return {}
    lookback = ctx.services.settings.history_lookback
    return await asyncio.to_thread(sync.history.values_at, list(twin_ids), instant(as_of), lookback)


def current(found: tuple | None, unit: Any) -> dict[str, Any]:
    """A point's `current` from its value at T, as `cypher/api/nodes_by_id.cypher` shows a
    live one (Neo4j's text for the number and the time)."""
    if found is None:
        return {"value": None, "text": None, "unit": unit, "timestamp": None, "quality": None,
                "source": None, "health": "unknown"}  # fmt: skip
    time, value, quality, source = found
    return {
        "value": value,
        "text": java_double(value),
        "unit": unit,
        "timestamp": _time_text(time),
        "quality": quality,
        "source": source,
        "health": health_of(quality),
    }


def value_properties(found: tuple | None) -> dict[str, Any]:
    """A point's live-value properties at T, as `records.plain` shows the live ones."""
    if found is None:
        return {}
    time, value, quality, source = found
    text = _native(time).astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"
    return {
        "value": value,
        "value_at": text,
        "value_quality": quality,
        "value_source": source,
        "health": health_of(quality),
    }


def shown(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without the version bookkeeping."""
    return {k: v for k, v in props.items() if k not in HIDDEN_KEYS}


def version_json(text: str) -> dict[str, Any]:
    """The properties a closed version keeps as JSON (`version_codec`), as `records.plain`
    shows a live element's."""
    return dict(plain(decode(text)))


def _native(time: Any) -> datetime:
    """A history time as the twin keeps a value's time: to the millisecond (the pipeline
    writes epoch milliseconds to the graph)."""
    native = time.to_pydatetime() if hasattr(time, "to_pydatetime") else time
    return native.replace(microsecond=native.microsecond // 1000 * 1000)


@lru_cache(maxsize=4096)  # a batch of values shares its time
def _time_text(time: datetime) -> str:
    return neo4j_time_text(_native(time))


def java_double(value: float) -> str:
    """`toString(x)` of a Cypher float (Java's Double.toString): 21.5, 1.0E7, 1.0E-4."""
    if 1e-3 <= abs(value) < 1e7:  # the usual case: Python's shortest digits, as Java's
        return repr(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    exponent = f"{abs(value):.17e}".split("e")[1]
    digits = repr(float(value))  # the shortest digits that round-trip
    sign = "-" if value < 0 else ""
    significant = digits.lstrip("-").split("e")[0].replace(".", "").lstrip("0").rstrip("0") or "0"
    head, tail = significant[0], significant[1:] or "0"
    return f"{sign}{head}.{tail}E{int(exponent)}"


def neo4j_time_text(at: datetime) -> str:
    """`toString(t)` of a Neo4j DateTime in UTC (Java's ISO format): seconds always, a fraction
    only when not zero and without trailing zeros, `Z` for UTC."""
    text = at.astimezone(UTC).isoformat()[:-6]  # no +00:00
    return (text.rstrip("0") if at.microsecond else text) + "Z"
