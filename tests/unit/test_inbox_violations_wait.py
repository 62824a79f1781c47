"""How the server's inbox reads constraint violations from the cache (`kept_or_checked`): a
scope slower to check than the wait is answered at once with its kept result, an old one too
(checked again in the background), and no read waits for it; a quick scope is checked afresh at
every read; a scope never checked is waited for."""

from __future__ import annotations

import asyncio
import time

from graphtwin.inbox.reader import kept_or_checked
from graphtwin.reasoning.violations_cache import ViolationsCache
from tests.unit.test_violations_cache import Checks, Clock


def test_a_slow_scope_is_answered_at_once_with_its_kept_result_even_when_old():
    async def run() -> None:
        checks, clock = Checks(delay_s=0.3), Clock()
        cache = ViolationsCache(checks, max_age_s=60, clock=clock)
        assert await kept_or_checked(cache, "bldg-a", 0.05) is None  # never checked: waited for
        await asyncio.sleep(0.4)  # the first check ends in the background
        first = await kept_or_checked(cache, "bldg-a", 0.05)
        assert first is not None and first.violations == ["bldg-a", 1]
        clock.now = 61  # too old: answered at once, and checked again for the next read
        started = time.perf_counter()
        assert await kept_or_checked(cache, "bldg-a", 0.05) is first
        assert time.perf_counter() - started < 0.05 and checks.count == 2
        await asyncio.sleep(0.4)
        assert (await kept_or_checked(cache, "bldg-a", 0.05)).violations == ["bldg-a", 2]

    asyncio.run(run())


def test_a_quick_scope_is_checked_afresh_at_every_read():
    async def run() -> None:
        checks = Checks(delay_s=0.0)
        cache = ViolationsCache(checks, max_age_s=60, clock=Clock())
        found = [await kept_or_checked(cache, "floor-1", 0.5) for _ in range(3)]
        assert [f.violations for f in found] == [["floor-1", n] for n in (1, 2, 3)]

    asyncio.run(run())
