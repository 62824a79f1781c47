"""Linking against the twin: read entities, write SAME_AS through the loader, keep decisions.

Links are a twin graph of their own source (`graphtwin-link`, format `link`) holding only
SAME_AS relationships, loaded like any import: re-running with the same result changes
nothing, a link that no longer holds is retracted, and each link has lineage. Review candidates
and rejections are kept as `(:LinkCandidate)` and `(:LinkRejection)` nodes, outside the twin.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphtwin.errors import TwinNotFoundError
from graphtwin.identity.config import MatchingConfig
from graphtwin.identity.entities import build_entities
from graphtwin.identity.matcher import Link, MatchResult, match, pair_of
from graphtwin.model import SourceInfo, TwinGraph, TwinRelationship
from graphtwin.store import LoadReport, TwinStore

LINK_SOURCE = "graphtwin-link"


@dataclass(slots=True)
class LinkRun:
    result: MatchResult
    report: LoadReport
    entities: int


def run_linking(store: TwinStore, config: MatchingConfig, *, dry_run: bool = False) -> LinkRun:
    kinds = sorted(config.compatible_kinds)
    nodes = store.read("identity/entities", kinds=kinds)
    edges = store.read("identity/structure", kinds=kinds)
    entities = build_entities(nodes, edges, config)
    given = [(r["a"], r["b"]) for r in store.read("identity/given_links", source_id=LINK_SOURCE)]
    rejected = {pair_of(r["a"], r["b"]) for r in store.read("identity/rejections")}
    result = match(entities, config, given=given, rejected=rejected)
    report = store.load([links_graph(result.links)], dry_run=dry_run, diff=True)[0]
    if not dry_run:
        rows = [{"a": c.a, "b": c.b, **c.stored_properties()} for c in result.candidates]
        store.write("identity/candidates_replace", rows=rows, now=datetime.now(UTC))
    return LinkRun(result, report, len(entities))


def links_graph(links: list[Link]) -> TwinGraph:
    payload = json.dumps([[k.a, k.b, k.confidence, k.method] for k in links]).encode()
    source = SourceInfo(LINK_SOURCE, "link", "graphtwin link", hashlib.sha256(payload).hexdigest())
    graph = TwinGraph(source)
    for link in links:
        graph.add_relationship(
            TwinRelationship(link.a, "SAME_AS", link.b, link.stored_properties())
        )
    return graph


def reject(store: TwinStore, a: str, b: str, *, reason: str | None, by: str | None) -> bool:
    """Record that a and b are not one thing; True when it was not recorded before."""
    for twin_id in (a, b):
        if not store.exists(twin_id):
            raise TwinNotFoundError(twin_id)
    x, y = pair_of(a, b)
    rows = store.write(
        "identity/reject",
        a=x,
        b=y,
        reason=reason,
        rejected_by=by,
        now=datetime.now(UTC),
    )
    return bool(rows and rows[0]["new"])


def rejections(store: TwinStore) -> list[dict[str, Any]]:
    return store.read("identity/rejections")


def candidates(store: TwinStore) -> list[dict[str, Any]]:
    return store.read("identity/candidates")


def cluster(store: TwinStore, twin_id: str) -> list[dict[str, Any]]:
    """The SAME_AS cluster of an entity: every description of the one thing, with sources."""
    members = store.read("identity/cluster", twin_id=twin_id)
    if not members:
        raise TwinNotFoundError(twin_id)
    return members
