"""Batched reads behind the GraphQL fields: one result per parent, one statement per call.

Every fetcher takes the request context, the parent records of one field at one level of the
query (however many there are) and the field's arguments, and answers for all parents at once.
Traversals (ancestors, descendants, flow) walk breadth-first: one statement per depth for every
parent together, with a visited set per parent, so cycles end and depth is bounded.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from collections.abc import Sequence
from enum import Enum
from typing import Any

from graphtwin.api.as_of import LIVE_VALUE_KEYS as POINT_VALUE_KEYS
from graphtwin.api.as_of import (
    as_of_aware,
    as_of_of,
    as_of_text,
    check_in_history,
    checked,
    current,
    instant,
    shown,
    value_properties,
    values_at,
    version_json,
)
from graphtwin.api.context import ApiContext
from graphtwin.api.records import Record, origin, plain
from graphtwin.brick_hierarchy import brick_class_filter
from graphtwin.errors import InputError
from graphtwin.store.lineage import property_lineage
from graphtwin.store.version_codec import decode, decode_assertions
from graphtwin.vocabulary import vocabulary

LIVE_VALUE_KEYS = frozenset({"value", "value_at", "value_quality", "health"})
"""Point properties a data source sets (attributed to `value_source`), not an import."""
NEIGHBOURS_PER_NODE = 10_000
"""Safety cap on the one-step neighbours read per node (a point list, a floor's rooms)."""
SAME_AS_DEPTH = 16
"""How far a SAME_AS cluster reaches (cypher/api/same_as.cypher)."""


class BadArgumentError(InputError):
    """A query argument the API cannot use (an invalid cursor, an empty search, an unknown
    source)."""


# -- arguments ---------------------------------------------------------------------------------


def _names(values: Sequence[Any] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.value if isinstance(v, Enum) else str(v) for v in values]


def _directions(types: list[str] | None, *, reverse: bool = False) -> tuple[list[str], list[str]]:
    """(outgoing, incoming) relationship types that lead from a node towards its children.

    Without `types`, the vocabulary's hierarchy: parent-to-child types are followed forwards and
    child-to-parent ones (LOCATED_IN) backwards. Named types that are not hierarchy types are
    followed forwards. `reverse` gives the way up instead.
    """
    vocab = vocabulary()
    chosen = (
        types if types is not None else vocab.hierarchy_types("down") + vocab.hierarchy_types("up")
    )
    down = [t for t in chosen if vocab.relationship_types[t].hierarchy != "up"]
    up = [t for t in chosen if vocab.relationship_types[t].hierarchy == "up"]
    return (up, down) if reverse else (down, up)


def encode_cursor(twin_id: str) -> str:
    return base64.urlsafe_b64encode(twin_id.encode()).decode()


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadArgumentError(f"invalid cursor {cursor!r}: use a pageInfo.endCursor") from exc


def _page(records: list[Record], first: int) -> Record:
    items = records[:first]
    return {
        "items": items,
        "page_info": {
            "has_next_page": len(records) > first,
            "end_cursor": encode_cursor(items[-1]["twin_id"]) if items else None,
        },
    }


def _ids(parents: Sequence[Record]) -> list[str]:
    return list(dict.fromkeys(p["twin_id"] for p in parents))


async def nodes(
    ctx: ApiContext,
    twin_ids: Sequence[str],
    *,
    include_retired: bool = False,
    as_of: str | None = None,
) -> dict[str, Record]:
    """The API's view of the nodes `twin_ids` (those that exist), by twin_id; with
    `include_retired`, an id no live node has is its newest retirement record, if any. With
    `as_of`, the nodes that existed then, as they were (retired ones: retired by then)."""
    if not twin_ids:
        return {}
    ids = list(dict.fromkeys(twin_ids))
    if as_of is not None:
        rows = await ctx.read("api/asof_nodes_by_id", ids=ids, at=instant(as_of))
        found = {r["id"]: r["n"] for r in rows}
        missing = [i for i in ids if i not in found]
        if include_retired and missing:
            rows = await ctx.read("api/asof_retired_nodes_by_id", ids=missing, at=instant(as_of))
            found.update((r["id"], r["n"]) for r in rows)
        await _with_values(ctx, list(found.values()), as_of)
        return found
    rows = await ctx.read("api/nodes_by_id", ids=ids)
    found = {r["id"]: r["n"] for r in rows}
    missing = [i for i in ids if i not in found]
    if include_retired and missing:
        rows = await ctx.read("api/retired_nodes_by_id", ids=missing)
        found.update((r["id"], r["n"]) for r in rows)
    return found


async def _with_values(ctx: ApiContext, found: list[Record], as_of: str) -> None:
    """Complete each as-of node view: its time (`as_of`, read by the fields below it), a
    point's `current` (its value from the history at the time, with its unit then: `unit`, the
    live node's, else in its version's `version_props`), a version's labels in the order
    labels(n) gives them (a version keeps them sorted)."""
    points = [n["twin_id"] for n in found if "Point" in n["labels"]]
    versions = [n for n in found if n.get("from_version")]
    values, order = await asyncio.gather(
        values_at(ctx, points, as_of), ctx.read("api/label_order") if versions else _nothing()
    )
    if versions:
        rank = {label: i for i, label in enumerate(order[0]["labels"])}
        for node in versions:
            node["labels"] = sorted(node["labels"], key=lambda label: rank.get(label, len(rank)))
    for node in found:
        node["as_of"] = as_of
        if "Point" in node["labels"]:
            text = node.get("version_props")
            unit = node.get("unit") if text is None else decode(text).get("unit")
            node["current"] = current(values.get(node["twin_id"]), unit)
        else:
            node["current"] = None


async def _nothing() -> list[Any]:
    return []


async def _node_lists(
    ctx: ApiContext, pairs: Sequence[tuple[str, str]], as_of: str | None = None
) -> dict[str, list]:
    """(owner, twin_id) pairs -> owner's nodes in the order given."""
    found = await nodes(ctx, [t for _, t in pairs], as_of=as_of)
    lists: dict[str, list[Record]] = {}
    for owner, twin_id in pairs:
        if twin_id in found:
            lists.setdefault(owner, []).append(found[twin_id])
    return lists


# -- root fields -------------------------------------------------------------------------------


async def node_by_id(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    twin_id: str,
    include_retired: bool = False,
    as_of: str | None = None,
) -> list[Any]:
    at = as_of_text(as_of) if as_of is not None else None
    by_id = await checked(ctx, at, nodes(ctx, [twin_id], include_retired=include_retired, as_of=at))
    return [by_id.get(twin_id) for _ in parents]


async def nodes_by_ids(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    twin_ids: list[str],
    include_retired: bool = False,
    as_of: str | None = None,
) -> list:
    at = as_of_text(as_of) if as_of is not None else None
    by_id = await checked(ctx, at, nodes(ctx, twin_ids, include_retired=include_retired, as_of=at))
    found = [by_id[t] for t in twin_ids if t in by_id]
    return [found for _ in parents]


async def node_page(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    kind: str | None = None,
    brick_class: str | None = None,
    exact: bool = False,
    ifc_class: str | None = None,
    isa95_level: str | None = None,
    name_contains: str | None = None,
    source: str | None = None,
    first: int,
    after: str | None = None,
    as_of: str | None = None,
) -> list[Any]:
    if source is not None and not await ctx.read("api/sources", ids=[source], limit=1):
        raise BadArgumentError(f"no import source {source!r}: `sources` lists them")
    at = as_of_text(as_of) if as_of is not None else None
    if at is not None:
        await check_in_history(ctx, at)
        ids = await _page_ids_at(ctx, at, kind=kind,
                                 brick_classes=brick_class_filter(brick_class, exact=exact),
                                 ifc_class=ifc_class, isa95_level=isa95_level,
                                 name_contains=name_contains, source=source,
                                 after=decode_cursor(after), limit=first + 1)  # fmt: skip
        by_id = await nodes(ctx, ids, as_of=at)
        page = _page([by_id[i] for i in ids if i in by_id], first)
        return [page for _ in parents]
    # a kind: one ordered seek of the (kind, twin_id) index; none: twin_id order, filtered
    rows = await ctx.read(
        "api/nodes_page" if kind is None else "api/nodes_page_kind",
        kind=kind,
        brick_classes=brick_class_filter(brick_class, exact=exact),
        ifc_class=ifc_class,
        isa95_level=isa95_level,
        name_contains=name_contains,
        source=source,
        after=decode_cursor(after),
        limit=first + 1,
    )
    by_id = await nodes(ctx, [r["twin_id"] for r in rows])
    page = _page([by_id[r["twin_id"]] for r in rows if r["twin_id"] in by_id], first)
    return [page for _ in parents]


async def _page_ids_at(
    ctx: ApiContext,
    at: str,
    *,
    brick_classes: list[str] | None,
    ifc_class: str | None,
    isa95_level: str | None,
    source: str | None,
    limit: int,
    **filters: Any,
) -> list[str]:
    """The twin_ids of one page of `nodes` as of `at`. Closed versions keep the filtered
    identifiers in JSON: they are read here (only when such a filter is given)."""
    json_filters = any(f is not None for f in (brick_classes, ifc_class, isa95_level, source))
    rows = await ctx.read("api/asof_nodes_page", at=instant(at), json_filters=json_filters,
                          brick_classes=brick_classes, ifc_class=ifc_class,
                          isa95_level=isa95_level, source=source, limit=limit,
                          **filters)  # fmt: skip
    ids = []
    for row in rows:
        if row["props"] is not None:
            props = decode(row["props"])
            classes = [props.get("brick_class"), *(props.get("brick_classes") or [])]
            asserting = {a["source_id"] for a in decode_assertions(row["assertions"] or "[]")
                         if a.get("keys")}  # fmt: skip
            if (
                (brick_classes is not None and not set(classes) & set(brick_classes))
                or (ifc_class is not None and props.get("ifc_class") != ifc_class)
                or (isa95_level is not None and props.get("isa95_level") != isa95_level)
                or (source is not None and source not in asserting)
            ):
                continue
        ids.append(row["twin_id"])
    return ids[:limit]


_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_TERM = re.compile(r"\w+")


def _prefix_clause(word: str) -> str:
    """A Lucene clause matching `word` as a prefix, escaped so it is never Lucene syntax. The
    index's analyser splits most names at punctuation ("VAV-0421" is indexed as vav and 0421,
    where the prefix vav-0421* matches nothing) but keeps some together ("a.b"): a word with
    punctuation matches either way, whole or each of its parts as a prefix."""
    whole = _LUCENE_SPECIAL.sub(r"\\\1", word) + "*"
    parts = _TERM.findall(word)
    if parts == [word] or not parts:
        return whole
    return f"({whole} OR ({' AND '.join(p + '*' for p in parts)}))"


async def search(
    ctx: ApiContext,
    parents: Sequence[Any],
    *,
    text: str,
    kind: str | None = None,
    first: int,
    include_retired: bool = False,
) -> list[Any]:
    limits = ctx.services.limits
    if len(text) > limits.max_search_chars:
        raise BadArgumentError(
            f"search text has {len(text)} characters: at most {limits.max_search_chars}"
        )
    words = text.split()
    if not words:
        raise BadArgumentError("search needs some text")
    if len(words) > limits.max_search_words:
        raise BadArgumentError(
            f"search text has {len(words)} words: at most {limits.max_search_words}"
        )
    query = " AND ".join(_prefix_clause(w.lower()) for w in words)
    rows = await ctx.read(
        "api/search", query=query, kind=kind, limit=first, include_retired=include_retired
    )
    by_id = await nodes(ctx, [r["twin_id"] for r in rows], include_retired=include_retired)
    found = [by_id[r["twin_id"]] for r in rows if r["twin_id"] in by_id]
    return [found for _ in parents]


async def caller(ctx: ApiContext, parents: Sequence[Any]) -> list[Any]:
    principal = ctx.principal
    found = (
        {"key_id": principal.key_id, "name": principal.name, "role": principal.role.value}
        if principal
        else None
    )
    return [found for _ in parents]


# -- hierarchy and flow ------------------------------------------------------------------------


async def _neighbours(
    ctx: ApiContext,
    ids: list[str],
    outgoing: list[str],
    incoming: list[str],
    kinds: list[str] | None = None,
    limit: int = NEIGHBOURS_PER_NODE,
    as_of: str | None = None,
) -> dict[str, list[Record]]:
    found: dict[str, list[Record]] = {i: [] for i in ids}
    if not ids:
        return found
    if as_of is not None:
        rows = await ctx.read("api/asof_neighbours", ids=ids, outgoing=outgoing,
                              incoming=incoming, kinds=kinds, limit=limit,
                              at=instant(as_of))  # fmt: skip
        await _with_values(ctx, [n for row in rows for n in row["nodes"]], as_of)
        for row in rows:
            found[row["id"]] = row["nodes"]
        return found
    rows = await ctx.read(
        "api/neighbours",
        ids=ids,
        outgoing=outgoing,
        incoming=incoming,
        kinds=kinds,
        limit=limit,
    )
    for row in rows:
        found[row["id"]] = row["nodes"]
    return found


async def neighbours(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    types: list[Any] | None = None,
    kinds: list[str] | None = None,
    first: int,
    reverse: bool = False,
) -> list[list[Record]]:
    outgoing, incoming = _directions(_names(types), reverse=reverse)
    found = await _neighbours(ctx, _ids(parents), outgoing, incoming, _names(kinds), first,
                              as_of_of(parents))  # fmt: skip
    return [found[p["twin_id"]] for p in parents]


@as_of_aware
async def children(ctx: ApiContext, parents: Sequence[Record], **args: Any) -> list:
    return await neighbours(ctx, parents, **args)


@as_of_aware
async def parents_of(ctx: ApiContext, parents: Sequence[Record], **args: Any) -> list:
    return await neighbours(ctx, parents, reverse=True, **args)


@as_of_aware
async def parent(ctx: ApiContext, parents: Sequence[Record], *, types: Any = None) -> list:
    found = await neighbours(ctx, parents, types=types, first=1, reverse=True)
    return [nodes[0] if nodes else None for nodes in found]


@as_of_aware
async def points(ctx: ApiContext, parents: Sequence[Record], *, first: int) -> list:
    found = await _neighbours(ctx, _ids(parents), ["HAS_POINT"], [], ["Point"], first,
                              as_of_of(parents))  # fmt: skip
    return [found[p["twin_id"]] for p in parents]


async def walk(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    outgoing: Sequence[str] = (),
    incoming: Sequence[str] = (),
    max_depth: int,
    kinds: list[str] | None = None,
    first: int,
) -> list[list[Record]]:
    """Nodes reachable from each parent within `max_depth` steps, nearest first, each once."""
    starts = _ids(parents)
    as_of = as_of_of(parents)
    visited = {s: {s} for s in starts}
    reached: dict[str, list[Record]] = {s: [] for s in starts}
    frontier = {s: [s] for s in starts}
    for _ in range(max_depth):
        ids = sorted({t for nodes in frontier.values() for t in nodes})
        if not ids:
            break
        step = await _neighbours(ctx, ids, list(outgoing), list(incoming), as_of=as_of)
        for start in starts:
            new = []
            for twin_id in frontier[start]:
                for record in step[twin_id]:
                    if record["twin_id"] not in visited[start]:
                        visited[start].add(record["twin_id"])
                        reached[start].append(record)
                        new.append(record["twin_id"])
            frontier[start] = new
    wanted = set(kinds) if kinds else None
    result = {
        s: [r for r in found if wanted is None or r["kind"] in wanted][:first]
        for s, found in reached.items()
    }
    return [result[p["twin_id"]] for p in parents]


@as_of_aware
async def ancestors(
    ctx: ApiContext, parents: Sequence[Record], *, types: Any = None, max_depth: int, first: int
) -> list:
    outgoing, incoming = _directions(_names(types), reverse=True)
    return await walk(
        ctx,
        parents,
        outgoing=outgoing,
        incoming=incoming,
        max_depth=max_depth,
        kinds=None,
        first=first,
    )


@as_of_aware
async def descendants(
    ctx: ApiContext,
    parents: Sequence[Record],
    *,
    types: Any = None,
    kinds: list[str] | None = None,
    max_depth: int,
    first: int,
) -> list:
    outgoing, incoming = _directions(_names(types))
    return await walk(
        ctx,
        parents,
        outgoing=outgoing,
        incoming=incoming,
        max_depth=max_depth,
        kinds=_names(kinds),
        first=first,
    )


@as_of_aware
async def downstream(
    ctx: ApiContext, parents: Sequence[Record], *, max_depth: int, first: int
) -> list:
    return await walk(ctx, parents, outgoing=["FEEDS"], max_depth=max_depth, first=first)


@as_of_aware
async def upstream(
    ctx: ApiContext, parents: Sequence[Record], *, max_depth: int, first: int
) -> list:
    return await walk(ctx, parents, incoming=["FEEDS"], max_depth=max_depth, first=first)


@as_of_aware
async def same_as(ctx: ApiContext, parents: Sequence[Record]) -> list:
    if as_of_of(parents) is not None:  # the cluster as it was: a walk along SAME_AS then
        cluster = await walk(ctx, parents, outgoing=["SAME_AS"], incoming=["SAME_AS"],
                             max_depth=SAME_AS_DEPTH, first=NEIGHBOURS_PER_NODE)  # fmt: skip
        return [sorted(found, key=lambda n: n["twin_id"]) for found in cluster]
    rows = await ctx.read("api/same_as", ids=_ids(parents))
    found = await _node_lists(ctx, [(r["id"], r["other"]) for r in rows])
    return [found.get(p["twin_id"], []) for p in parents]


@as_of_aware
async def relationships(ctx: ApiContext, parents: Sequence[Record], *, types: Any = None) -> list:
    as_of = as_of_of(parents)
    if as_of is None:
        rows = await ctx.read("api/relationships", ids=_ids(parents), types=_names(types))
    else:
        rows = await _relationships_at(ctx, _ids(parents), _names(types), as_of)
    others = await nodes(ctx, [r["other"] for r in rows], as_of=as_of)
    found: dict[str, list[Record]] = {}
    for row in rows:
        props = shown(row["props"])
        found.setdefault(row["id"], []).append(
            {
                "type": row["type"],
                "direction": "OUT" if row["outgoing"] else "IN",
                "other": others[row["other"]],
                "sources": list(props.get("sources") or []),
                "selector": props.get("selector"),
                "confidence": props.get("confidence"),
                "method": props.get("method"),
                "properties": {
                    k: plain(v)
                    for k, v in props.items()
                    if k not in {"sources", "selector", "changed_at", "keys"}
                },
            }
        )
    return [found.get(p["twin_id"], []) for p in parents]


# -- lineage -----------------------------------------------------------------------------------


def _source_record(a: dict[str, Any]) -> Record:
    return {
        "source_id": a["source_id"],
        "format": a["format"],
        "file_name": a["file_name"],
        "sha256": a.get("sha256"),
        "imported_at": plain(a.get("imported_at")),
    }


@as_of_aware
async def lineage(ctx: ApiContext, parents: Sequence[Record]) -> list:
    ids = _ids(parents)
    as_of = as_of_of(parents)
    if as_of is None:
        rows = [(r["id"], shown(r["props"]), r["assertions"])
                for r in await ctx.read("api/lineage", ids=ids)]  # fmt: skip
    else:
        rows = await _lineage_rows_at(ctx, ids, as_of)
    retirements = await ctx.read("api/retirements", ids=ids)
    events: dict[str, list[Record]] = {}
    for row in retirements:
        record = row["record"]
        if as_of is not None and record["retired_at"].to_native() > instant(as_of):
            continue  # retired after the time asked
        events.setdefault(row["id"], []).append(
            {
                "at": plain(record.get("retired_at")),
                "type": "retired",
                "source_id": record.get("retired_by"),
                "detail": "no source defines it any more",
            }
        )
    found: dict[str, Record] = {}
    for twin_id, props, all_assertions in rows:
        assertions = [a for a in all_assertions if a["source_id"] is not None]
        properties, _ = property_lineage(props, assertions)  # sources: with hashes, below
        node_events = list(events.get(twin_id, []))
        if props.get("value_at") is not None:
            node_events.append(
                {
                    "at": plain(props["value_at"]),
                    "type": "value",
                    "source_id": props.get("value_source"),
                    "detail": f"current value {plain(props.get('value'))!r}",
                }
            )
        found[twin_id] = {
            "sources": [
                {
                    **_source_record(a),
                    "keys": list(a["keys"] or []),
                    "first_asserted_at": plain(a["first_asserted_at"]),
                }
                for a in sorted(assertions, key=lambda a: a["source_id"])
            ],
            "import_runs": sorted(
                (
                    {"source_id": a["source_id"], "at": plain(at), "keys": keys}
                    for a in assertions
                    for at, keys in _runs(a).items()
                ),
                key=lambda r: (r["at"], r["source_id"]),
            ),
            "properties": [
                {
                    "key": p.key,
                    "value": plain(p.value),
                    "source_id": p.source_id,
                    "data_source": props.get("value_source") if p.key in LIVE_VALUE_KEYS else None,
                    "changed_at": plain(p.changed_at)
                    if p.changed_at
                    else (plain(props.get("value_at")) if p.key in LIVE_VALUE_KEYS else None),
                    "asserted_by": list(p.asserted_by),
                }
                for p in properties
            ],
            "events": sorted(node_events, key=lambda e: e["at"] or ""),
        }
    for p in parents:  # retired entities: no source asserts them any more, only the events
        if p.get("retired") and p["twin_id"] not in found:
            found[p["twin_id"]] = {
                "sources": [],
                "import_runs": [],
                "properties": [],
                "events": events.get(p["twin_id"], []),
            }
    return [found.get(p["twin_id"]) for p in parents]


async def _lineage_rows_at(
    ctx: ApiContext, ids: list[str], as_of: str
) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(twin_id, properties, assertions) of each node as it stood at `as_of`, shaped as
    `api/lineage` gives a live node's: a point's value from the history, each source's file
    and hash as they were then, times as Neo4j's."""
    shaped = []
    for twin_id, props, row in await _nodes_at(ctx, ids, as_of):
        if row["props"] is not None:
            assertions = [dict(a) for a in row["assertions"] if a["source_id"] is not None]
        else:
            assertions = decode_assertions(row["assertions_json"])
        shaped.append((twin_id, props, assertions))
    source_ids = sorted({a["source_id"] for _, _, found in shaped for a in found})
    rows = await ctx.read("asof/sources", source_ids=source_ids, at=instant(as_of))
    sources = {r["source_id"]: dict(r) for r in rows}
    for _, _, assertions in shaped:
        for a in assertions:
            a.update(sources.get(a["source_id"], {}))
    return shaped


async def _nodes_at(
    ctx: ApiContext, ids: list[str], as_of: str
) -> list[tuple[str, dict[str, Any], Any]]:
    """(twin_id, properties, row) of the nodes that existed at `as_of` (`asof/nodes`), their
    properties then as `properties` shows them (plain values, a point's live keys from the
    history, no bookkeeping); `properties` and `lineage` of one level share the read."""
    rows = await ctx.read("asof/nodes", ids=ids, at=instant(as_of))
    values = await values_at(ctx, [r["twin_id"] for r in rows if "Point" in r["labels"]], as_of)
    found = []
    for row in rows:
        props = plain(row["props"]) if row["props"] is not None else version_json(row["props_json"])
        props = {k: v for k, v in shown(props).items() if k not in POINT_VALUE_KEYS}
        if "Point" in row["labels"]:
            props.update(value_properties(values.get(row["twin_id"])))
        found.append((row["twin_id"], props, row))
    return found


async def _relationships_at(
    ctx: ApiContext, ids: list[str], types: list[str] | None, as_of: str
) -> list[dict[str, Any]]:
    """The rows `api/relationships` gives, for the relationships that existed at `as_of`."""
    rows = await ctx.read("asof/relationships", ids=ids, at=instant(as_of), both=True)
    wanted = set(ids)
    found = {}
    for row in rows:
        if types is not None and row["type"] not in types:
            continue
        props = row["props"] if row["props"] is not None else version_json(row["props_json"])
        for end, other, outgoing in ((row["start"], row["end"], True),
                                     (row["end"], row["start"], False)):  # fmt: skip
            if end in wanted:
                found[(end, row["type"], other, outgoing)] = props
    return [
        {"id": i, "type": t, "other": o, "outgoing": out, "props": props}
        for (i, t, o, out), props in sorted(found.items(), key=lambda item: item[0][:3])
    ]


def _runs(assertion: dict[str, Any]) -> dict[Any, list[str]]:
    """The import runs of one source that changed the node: keys grouped by change time."""
    runs: dict[Any, list[str]] = {}
    for key, at in zip(assertion["keys"] or [], assertion["changed_at"] or [], strict=True):
        runs.setdefault(at, []).append(key)
    return dict(sorted(runs.items()))


async def sources(ctx: ApiContext, parents: Sequence[Any], *, source_ids: Any, first: int) -> list:
    rows = await ctx.read("api/sources", ids=source_ids, limit=first)
    found = [_source_record(dict(r)) for r in rows]
    return [found for _ in parents]


async def source_by_id(ctx: ApiContext, parents: Sequence[Any], *, source_id: str) -> list:
    rows = await ctx.read("api/sources", ids=[source_id], limit=1)
    found = _source_record(dict(rows[0])) if rows else None
    return [found for _ in parents]


async def assertions(
    ctx: ApiContext, parents: Sequence[Record], *, first: int, after: str | None = None
) -> list:
    ids = list(dict.fromkeys(p["source_id"] for p in parents))
    rows = await ctx.read(
        "api/source_assertions", ids=ids, after=decode_cursor(after), limit=first + 1
    )
    found = await _node_lists(ctx, [(r["id"], r["twin_id"]) for r in rows])
    return [_page(found.get(p["source_id"], []), first) for p in parents]


@as_of_aware
async def properties(ctx: ApiContext, parents: Sequence[Record]) -> list[dict[str, Any]]:
    """Every stored property; a retired node's are those its retirement record kept. As of a
    time: those it had then, a point's value (value, value_at, ...) from the history."""
    as_of = as_of_of(parents)
    if as_of is not None:
        return await _properties_at(ctx, parents, as_of)
    live = _ids([p for p in parents if not p.get("retired")])
    retired = _ids([p for p in parents if p.get("retired")])
    rows = list(await ctx.read("api/properties", ids=live)) if live else []
    if retired:
        rows += await ctx.read("api/retired_properties", ids=retired)
    found = {r["id"]: plain(shown(r["props"])) for r in rows}
    return [found.get(p["twin_id"], {}) for p in parents]


async def _properties_at(
    ctx: ApiContext, parents: Sequence[Record], as_of: str
) -> list[dict[str, Any]]:
    live = _ids([p for p in parents if not p.get("retired")])
    retired = _ids([p for p in parents if p.get("retired")])
    found = {twin_id: props for twin_id, props, _ in await _nodes_at(ctx, live, as_of)}
    if retired:  # entities retired by then: their last properties, when and by whom
        for row in await ctx.read("api/asof_retired_properties", ids=retired, at=instant(as_of)):
            found[row["id"]] = {**shown(version_json(row["text"])),
                                "retired_at": plain(row["retired_at"]),
                                "retired_by": row["retired_by"]}  # fmt: skip
    return [found.get(p["twin_id"], {}) for p in parents]


@as_of_aware
async def property_value(ctx: ApiContext, parents: Sequence[Record], *, key: str) -> list[Any]:
    return [props.get(key) for props in await properties(ctx, parents)]


@as_of_aware
async def origins(ctx: ApiContext, parents: Sequence[Record]) -> list[Record]:
    """Origin ids are read when asked for: the node view leaves them out to stay small."""
    return [origin(props) for props in await properties(ctx, parents)]
