"""The JSON text a closed version keeps (docs/history.md): one encoder, one decoder, exact.

A `NodeVersion` / `EdgeVersion` keeps its properties as JSON text. JSON carries text, whole
numbers (of any size), floats (Python writes the shortest digits that read back to the same
float), booleans and lists; every other value Neo4j stores is written as a tagged object and read
back as the value the driver gives for a live element: `{"$type": "datetime", "value":
"2025-01-01T00:00:00.000000000+00:00"}` is a `neo4j.time.DateTime` again (with its nanoseconds,
offset and named zone), `date`, `time`, `localtime`, `localdatetime`, `duration`, `point` and
`bytes` likewise. Text stays text, even text that looks like a time.

A node's lineage (`assertions`) keeps only what is the node's own, per source: `source_id`,
`keys`, `changed_at` and `first_asserted_at`. The source's file, format, hash and import time then
come from the Source / SourceVersion at read time (`cypher/asof/sources.cypher`). Lineage times
are written by the store in UTC: they are kept as whole epoch microseconds (one number for all the
keys when they changed together), a time that is not a whole microsecond in UTC as a tagged
`datetime`.

Example::

    >>> from neo4j.time import DateTime
    >>> text = encode({"name": "2025-01-01T00:00:00Z", "at": DateTime(2025, 1, 1, tzinfo=UTC)})
    >>> decode(text) == {"name": "2025-01-01T00:00:00Z", "at": DateTime(2025, 1, 1, tzinfo=UTC)}
    True
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import neo4j.spatial
import neo4j.time
import pytz

__all__ = ["decode", "decode_assertions", "encode", "encode_assertions"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_POINTS = {
    7203: neo4j.spatial.CartesianPoint,
    9157: neo4j.spatial.CartesianPoint,
    4326: neo4j.spatial.WGS84Point,
    4979: neo4j.spatial.WGS84Point,
}
_ASSERTION_KEYS = ("source_id", "keys", "changed_at", "first_asserted_at")


def encode(value: Any) -> str:
    """JSON text of a version's properties (or any value Neo4j stores), sorted keys, compact."""
    return json.dumps(_tagged(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> Any:
    """The value `encode` wrote, exactly: tagged objects as the driver's types again."""
    return _untagged(json.loads(text))


def encode_assertions(assertions: Iterable[Mapping[str, Any]]) -> str:
    """JSON text of a node's lineage then: per source (sorted), its asserted `keys`, when each
    last changed and when the source first asserted the node; nothing about the source itself.

    >>> at = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    >>> encode_assertions([{"source_id": "s", "keys": ["a", "b"], "changed_at": [at, at],
    ...                     "first_asserted_at": at, "sha256": "ab12"}])
    '[{"changed_at":1772352000000000,"first_asserted_at":1772352000000000,"keys":["a","b"],"source_id":"s"}]'
    """
    rows = []
    for a in sorted(assertions, key=lambda a: a["source_id"]):
        times = [_lineage_time(t) for t in a.get("changed_at") or []]
        same = len(times) > 1 and all(t == times[0] for t in times) and isinstance(times[0], int)
        rows.append(
            {
                "source_id": a["source_id"],
                "keys": list(a.get("keys") or []),
                "changed_at": times[0] if same else times,
                "first_asserted_at": _lineage_time(a.get("first_asserted_at")),
            }
        )
    return encode(rows)


def decode_assertions(text: str) -> list[dict[str, Any]]:
    """The lineage `encode_assertions` wrote: {source_id, keys, changed_at (one time per key),
    first_asserted_at}, times as `neo4j.time.DateTime` (as a live node's assertions give them)."""
    found = []
    for a in json.loads(text):
        keys = a.get("keys") or []
        changed = a.get("changed_at")
        if isinstance(changed, list):
            times = [_read_lineage_time(t) for t in changed]
        else:
            times = [_read_lineage_time(changed)] * len(keys)
        found.append(
            {
                "source_id": a["source_id"],
                "keys": keys,
                "changed_at": times,
                "first_asserted_at": _read_lineage_time(a.get("first_asserted_at")),
            }
        )
    return found


def _lineage_time(value: Any) -> Any:
    if value is None:
        return None
    moment = neo4j.time.DateTime.from_native(value) if isinstance(value, datetime) else value
    if not isinstance(moment, neo4j.time.DateTime) or moment.tzinfo is None:
        return _tagged(value)
    if moment.nanosecond % 1000 or moment.utcoffset() != timedelta(0) or _zone(moment):
        return _tagged(moment)
    return (moment.to_native() - _EPOCH) // _MICROSECOND


def _read_lineage_time(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return neo4j.time.DateTime.from_native(_EPOCH + value * _MICROSECOND)
    return _untagged(value)


def _tagged(value: Any) -> Any:
    """A JSON-ready form: JSON's own values as they are, every other value tagged."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, neo4j.spatial.Point):
        return {"$type": "point", "srid": value.srid, "coords": list(value)}
    if isinstance(value, bytes | bytearray):
        return {"$type": "bytes", "value": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        value = neo4j.time.DateTime.from_native(value)
    elif isinstance(value, date):
        value = neo4j.time.Date.from_native(value)
    elif isinstance(value, time):
        value = neo4j.time.Time.from_native(value)
    elif isinstance(value, timedelta):
        value = neo4j.time.Duration(seconds=value.total_seconds())
    if isinstance(value, neo4j.time.Duration):
        months, days, seconds, nanoseconds = value
        return {"$type": "duration", "value": [months, days, seconds, nanoseconds]}
    if isinstance(value, list | tuple):
        return [_tagged(v) for v in value]
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Time):
        aware = value.tzinfo is not None
        kind = (
            ("datetime" if aware else "localdatetime")
            if isinstance(value, neo4j.time.DateTime)
            else ("time" if aware else "localtime")
        )
        zone = _zone(value) if aware else None
        tagged = {"$type": kind, "value": _with_fixed_offset(value).iso_format()}
        return tagged | ({"zone": zone} if zone else {})
    if isinstance(value, neo4j.time.Date):
        return {"$type": "date", "value": value.iso_format()}
    raise TypeError(f"a version cannot keep a {type(value).__name__} value: {value!r}")


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("$type")
    if kind is None:
        return {k: _untagged(v) for k, v in value.items()}
    if kind in ("datetime", "localdatetime"):
        moment = neo4j.time.DateTime.from_iso_format(value["value"])
        if "zone" in value:  # the same instant in its named zone, as the driver gives it (pytz)
            return moment.as_timezone(pytz.timezone(value["zone"]))
        return moment
    if kind in ("time", "localtime"):
        return neo4j.time.Time.from_iso_format(value["value"])
    if kind == "date":
        return neo4j.time.Date.from_iso_format(value["value"])
    if kind == "duration":
        months, days, seconds, nanoseconds = value["value"]
        return neo4j.time.Duration(
            months=months, days=days, seconds=seconds, nanoseconds=nanoseconds
        )
    if kind == "point":
        return _POINTS.get(value["srid"], neo4j.spatial.CartesianPoint)(value["coords"])
    if kind == "bytes":
        return base64.b64decode(value["value"])
    raise ValueError(f"unknown tagged value in a version's JSON: {kind!r}")


def _with_fixed_offset(value: Any) -> Any:
    """The same wall time with its zone's offset then as a fixed offset.

    A `neo4j.time` value asks its tzinfo for the offset with itself, not a `datetime`; zoneinfo's
    C implementation then reads a `datetime`'s fields from the wrong object and can answer the
    wrong offset. A real `datetime` (from `to_native`) gets the right one; pytz zones, which the
    driver gives, and fixed offsets do not depend on it.
    """
    if value.tzinfo is None or isinstance(value.tzinfo, timezone | pytz.BaseTzInfo):
        return value
    if isinstance(value, neo4j.time.DateTime):
        offset = value.to_native().utcoffset()
    else:
        offset = value.tzinfo.utcoffset(None)
    return value.replace(tzinfo=timezone(offset)) if offset is not None else value


def _zone(value: Any) -> str | None:
    """The IANA zone of a time with a named zone (not a bare offset), else None."""
    name = getattr(value.tzinfo, "key", None) or getattr(value.tzinfo, "zone", None)
    return str(name) if name and name != "UTC" else None
