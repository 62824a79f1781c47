"""The inbox read from Neo4j: a fixed few statements however many items there are.

One statement per kind of item (`cypher/inbox/drift_issues`, `simulation_runs`; violations
through `graphtwin.reasoning`, per root or for the scope), two for a scope (its subtree,
`reasoning/subtree`, and what supplies it from outside, `inbox/scope_suppliers`: the AHU that
feeds a floor's VAVs) or one for the roots when there is none (`inbox/roots`), and
one for the reach of every item (`inbox/reach`, in batches of 1,000 ids); the kinds are read at
once (concurrently), and the drift issues' reach while the constraints are still being checked.
The drift issues and the reach answer their rows in one record each (the async driver takes
~50 us a record). Then the items are ranked in Python (`graphtwin.inbox.ranking`), and only the
shown ones built (`graphtwin.inbox.items`).

>>> items = await read_inbox(driver, "neo4j", scope="bldg-a", first=50)  # doctest: +SKIP
>>> items[0].score, items[0].because[0]  # doctest: +SKIP
(28.0, 'Threshold drift on VAV-201 Zone Air Temperature: ...')
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j

from graphtwin.batching import chunked
from graphtwin.inbox.items import (
    InboxItem,
    Reach,
    drift_standing,
    from_drift_issue,
    from_simulation_run,
    from_violation,
    nodes_of_runs,
    violations_unchecked,
)
from graphtwin.inbox.ranking import Impact, Urgency, rank
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.governed import nothing_to_check
from graphtwin.reasoning.violations_cache import Checked, ViolationsCache
from graphtwin.store import statement_runner as runner

RUNS = 20
"""How many recent what-if runs (the latest of each scenario) the inbox looks at."""
REACH_BATCH = 1000
VIOLATIONS_S = 1.0
"""How long the inbox waits for constraint reasoning (seconds) before it answers without it."""
CACHED_VIOLATIONS_S = 0.1
"""How long a read with the server's cache (`ViolationsCache`) waits for a scope's check before
it answers with the scope's last result: a page has about 200 ms, and a whole 10,000-point
building's reasoning takes longer. A scope checked within this is checked afresh every read."""


async def read_inbox(
    driver: neo4j.AsyncDriver,
    database: str,
    *,
    scope: str | None = None,
    first: int = 100,
    now: datetime | None = None,
    timeout_s: float | None = None,
    violations_s: float | None = None,
    cache: ViolationsCache | None = None,
) -> list[InboxItem]:
    """The `first` items that most need attention in `scope`'s subtree (the whole twin when
    None), highest score first. An unknown scope is `TwinNotFoundError`. Constraint reasoning
    that takes longer than `violations_s` (default `VIOLATIONS_S`; a large building's, whole)
    is left out, and the inbox ends with an item saying so. With a `cache` (a long-running
    server's), violations come from its last check of each root (at most its `max_age_s` old),
    and a check that outlives `violations_s` (default `CACHED_VIOLATIONS_S`) goes on in the
    background for the next read."""
    if violations_s is None:
        violations_s = VIOLATIONS_S if cache is None else CACHED_VIOLATIONS_S
    now = now or datetime.now(UTC)
    reasoning = ConstraintReader(driver, database, timeout_s=timeout_s)

    async def _read(statement: str, **params: Any) -> list[dict[str, Any]]:
        records = await runner.query_async(
            driver, statement, database_=database, read_=True, timeout_=timeout_s, **params
        )
        # Maps, lists and values only: record.data() would walk them all again for graph types
        # (~45 ms for 1,000 issues and their reach, against ~4 ms for this).
        keys = records[0].keys() if records else []
        return [dict(zip(keys, r, strict=True)) for r in records]

    reaches: dict[str, Reach] = {}

    async def reach(twin_ids: list[str]) -> None:
        for chunk in chunked([i for i in dict.fromkeys(twin_ids) if i not in reaches], REACH_BATCH):
            [found] = await _read("inbox/reach", ids=chunk)  # its rows in one record
            for row in found["rows"]:
                reaches[row["twin_id"]] = Reach.from_row(row)

    ids = None
    if scope is not None:
        ids = await reasoning.subtree(scope)
        ids += [r["twin_id"] for r in await _read("inbox/scope_suppliers", ids=ids)]
        ids = list(dict.fromkeys(ids))

    unchecked: list[str] = []
    checked_at: list[datetime] = []

    async def violations() -> list[Violation]:
        if await nothing_to_check(driver, database, timeout_s=timeout_s):
            return []  # no constraint applies anywhere: no check to wait for, none in background
        roots = [scope] if scope is not None else [r["twin_id"] for r in await _read("inbox/roots")]
        within = min(violations_s, timeout_s) if timeout_s else violations_s
        if cache is not None:
            kept = await asyncio.gather(*(kept_or_checked(cache, root, within) for root in roots))
            unchecked.extend(root for root, checked in zip(roots, kept, strict=True) if not checked)
            checked_at.extend(checked.at for checked in kept if checked)
            return [v for checked in kept if checked for v in checked.violations]
        checker = ConstraintReader(driver, database, timeout_s=within + 1.0)
        try:
            found = await asyncio.wait_for(
                asyncio.gather(*(checker.violations(root) for root in roots)), within
            )
        except TimeoutError:  # a whole building's reasoning: the inbox says so, and goes on
            unchecked.extend(roots)
            return []
        return [v for per_root in found for v in per_root]

    async def drift_issues() -> list[dict[str, Any]]:
        [found] = await _read("inbox/drift_issues", ids=ids)  # its rows in one record
        rows: list[dict[str, Any]] = found["rows"]
        await reach([r["twin_id"] for r in rows])  # while the constraints are being checked
        return rows

    issues, runs, broken = await asyncio.gather(
        drift_issues(),
        _read("inbox/simulation_runs", ids=ids, limit=RUNS),
        violations(),
    )
    await reach([v.node for v in broken] + nodes_of_runs(runs))
    items = build(
        issues, broken, runs, reaches, now, checked_at=min(checked_at, default=None), first=first
    )
    if unchecked:
        items = rank(
            [
                *items,
                violations_unchecked(
                    unchecked, within_s=violations_s, in_background=cache is not None
                ),
            ]
        )
    return items[:first]


async def kept_or_checked(cache: ViolationsCache, root: str, wait_s: float) -> Checked | None:
    """The violations under `root` from the server's cache: a scope slower to check than
    `wait_s` is answered with its kept result at once (an old one is checked again in the
    background, for the next read: no read waits for it); one never checked, or quick to check,
    is checked and waited for up to `wait_s`, as `ViolationsCache.get` does."""
    kept = await cache.get(root, wait_s=0.0)  # a kept result, if any, without waiting
    if kept is not None and kept.took_s > wait_s:
        return kept
    return await cache.get(root, wait_s=wait_s)


def build(
    issues: Sequence[dict[str, Any]],
    violations: Sequence[Violation],
    runs: Sequence[dict[str, Any]],
    reaches: dict[str, Reach],
    now: datetime,
    *,
    checked_at: datetime | None = None,
    first: int | None = None,
) -> list[InboxItem]:
    """Every item, ranked, or the `first` (pure: what `read_inbox` read, as items);
    `checked_at`: when the violations were found, if not just now (a kept check's). Drift
    issues are ranked by their impact and urgency first, and only those among the `first` are
    built (their because chains, evidence and proposals: most of the work for 1,000 issues)."""
    pending: list[_Pending] = []
    for row in issues:
        reach = reaches.get(row["twin_id"]) or Reach(row["twin_id"])
        impact, urgency = drift_standing(row["issue"], reach, now)
        pending.append(
            _Pending(str(row["issue"]["issue_id"]), impact, urgency, row["issue"], reach)
        )
    items: list[InboxItem] = []
    seen: set[str] = set()
    for v in violations:
        item = from_violation(v, reaches.get(v.node) or Reach(v.node), now, checked_at=checked_at)
        if item.item_id not in seen:  # two roots may both reach one node
            seen.add(item.item_id)
            items.append(item)
    for run in runs:
        items += from_simulation_run(run, reaches, now)
    ranked = rank([*pending, *items])[:first]
    return [
        from_drift_issue(i.issue, i.reach, now) if isinstance(i, _Pending) else i for i in ranked
    ]


@dataclass(frozen=True, slots=True)
class _Pending:
    """A drift issue, ranked (`graphtwin.inbox.ranking.rank`) before its item is built."""

    item_id: str
    impact: Impact
    urgency: Urgency
    issue: dict[str, Any]
    reach: Reach
