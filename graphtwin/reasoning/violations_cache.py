"""Constraint violations of a scope, kept for a while and checked again in the background.

Reasoning over a whole large building takes seconds (every effective constraint against every
current value of its subtree), longer than a page may take. A long-running server (the API and
its flight deck) keeps such a scope's last result for `max_age_s`, so the inbox answers at once
with violations at most that old (saying when they were found), as the twin is eventually
consistent anyway. A check that outlives a caller's wait is not cancelled: it goes on, and its
result serves the next caller. A scope checked within the caller's wait is checked afresh every
time: only what is too slow to wait for is ever answered from before.

>>> cache = ViolationsCache(ConstraintReader(driver, "neo4j").violations)  # doctest: +SKIP
>>> checked = await cache.get("bldg-a", wait_s=1.0)  # doctest: +SKIP
>>> checked.violations if checked else "being checked"  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from graphtwin.reasoning.checks import Violation

LOG = logging.getLogger(__name__)
MAX_AGE_S = 60.0
"""How long a scope's result is answered without checking again."""
CHECK_TIMEOUT_S = 120.0
"""How long one check may take: it runs for whoever asks next, not within one request's time
limit, which a large building's whole reasoning outlasts."""
MAX_SCOPES = 256
"""Scopes kept; the one checked longest ago is dropped first."""


@dataclass(frozen=True, slots=True)
class Checked:
    """The violations under a scope, and when the check that found them finished."""

    violations: list[Violation]
    at: datetime
    took_s: float
    """How long the check took."""


class ViolationsCache:
    """Each scope's last violations (`compute(scope)`); one check per scope at a time. A
    result whose check took longer than the caller waits is answered while younger than
    `max_age_s`."""

    def __init__(
        self,
        compute: Callable[[str], Awaitable[list[Violation]]],
        *,
        max_age_s: float = MAX_AGE_S,
        max_scopes: int = MAX_SCOPES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._compute = compute
        self._max_age_s = max_age_s
        self._max_scopes = max_scopes
        self._clock = clock
        self._done: dict[str, tuple[float, Checked]] = {}
        self._running: dict[str, asyncio.Task[Checked]] = {}

    async def get(self, scope: str, *, wait_s: float) -> Checked | None:
        """The violations under `scope`: the kept result while it is fresh and its check took
        longer than `wait_s`; otherwise a check is started (or the one under way joined) and
        waited for up to `wait_s`. Past that, the last result however old, or None if `scope`
        was never checked; the check goes on. A check that fails while waited for raises its
        error here."""
        kept = self._done.get(scope)
        if (
            kept is not None
            and kept[1].took_s > wait_s
            and self._clock() - kept[0] <= self._max_age_s
        ):
            return kept[1]
        task = self._running.get(scope)
        if task is None:
            task = self._running[scope] = asyncio.create_task(self._check(scope))
            task.add_done_callback(lambda done: self._finished(scope, done))
        try:
            return await asyncio.wait_for(asyncio.shield(task), wait_s)
        except TimeoutError:
            return kept[1] if kept is not None else None

    async def _check(self, scope: str) -> Checked:
        started = time.perf_counter()
        found = await self._compute(scope)
        checked = Checked(found, datetime.now(UTC), time.perf_counter() - started)
        self._done.pop(scope, None)
        self._done[scope] = (self._clock(), checked)
        while len(self._done) > self._max_scopes:
            del self._done[next(iter(self._done))]
        return checked

    def _finished(self, scope: str, task: asyncio.Task[Checked]) -> None:
        """Forgets the check under way; a failure nobody waited for is logged (the next
        caller checks again and sees it itself)."""
        self._running.pop(scope, None)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            LOG.error("checking the constraints under %s failed: %s", scope, error, exc_info=error)
