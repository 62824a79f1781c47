"""Whether the twin has anything for constraint reasoning to check (`reasoning/governed`).

A twin no constraint or regulation applies to has no effective constraint anywhere, so no
violation and no capacity check: `ConstraintReader.violations` and
`capacity_checks` ask this one cheap statement before a scope's whole reasoning (the subtree
walk alone takes ~0.1-0.2 s for the 10,000-point building), and the answer is the same; the
inbox asks it first too, so that it starts no background check at all. Asked at every call,
never kept: a rule imported a moment later is checked at the next call.

>>> if await nothing_to_check(driver, "neo4j", "bldg-a"):  # doctest: +SKIP
...     return []
"""

from __future__ import annotations

from collections.abc import Sequence

import neo4j

from graphtwin.errors import TwinNotFoundError
from graphtwin.store import statement_runner as runner


async def nothing_to_check(
    driver: neo4j.AsyncDriver,
    database: str,
    scope: str | None = None,
    *,
    timeout_s: float | None = None,
) -> bool:
    """True when no constraint or regulation applies to any live twin node. A `scope` that is
    not a live twin node is `TwinNotFoundError`, as the reasoning itself would say."""
    records = await runner.query_async(
        driver,
        "reasoning/governed",
        database_=database,
        read_=True,
        timeout_=timeout_s,
        scope=scope,
    )
    return answer(records, scope)


def answer(records: Sequence[neo4j.Record], scope: str | None) -> bool:
    """`reasoning/governed`'s records as `nothing_to_check`'s answer (in a transaction of the
    caller's: `ConstraintReader` asks it before a scope's reasoning)."""
    [found] = records
    if scope is not None and not found["found"]:
        raise TwinNotFoundError(scope)
    return not found["governed"]
