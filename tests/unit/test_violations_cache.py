"""The violations cache: a scope's last check answered while fresh, a slow check carried on in
the background for the next caller, one check per scope at a time, failures not hidden."""

from __future__ import annotations

import asyncio

import pytest

from graphtwin.reasoning.violations_cache import ViolationsCache


class Checks:
    """A stand-in reasoning: counts its checks, each answering [scope, n] after `delay_s`."""

    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.delay_s, self.fail, self.count = delay_s, fail, 0

    async def __call__(self, scope: str) -> list:
        self.count += 1
        await asyncio.sleep(self.delay_s)
        if self.fail:
            raise RuntimeError(f"reasoning under {scope} failed")
        return [scope, self.count]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_slow_scopes_result_is_answered_while_fresh_without_checking_again():
    async def run() -> None:
        checks, clock = Checks(delay_s=0.05), Clock()
        cache = ViolationsCache(checks, max_age_s=60, clock=clock)
        first = await cache.get("bldg-a", wait_s=1)
        clock.now = 59
        again = await cache.get("bldg-a", wait_s=0.01)  # the check took longer than this wait
        assert first is again and first.violations == ["bldg-a", 1] and checks.count == 1
        assert first.took_s >= 0.05
        clock.now = 61
        assert await cache.get("bldg-a", wait_s=0.01) is first  # too old: checked again
        await asyncio.sleep(0.1)
        assert (await cache.get("bldg-a", wait_s=0.01)).violations == ["bldg-a", 2]

    asyncio.run(run())


def test_a_scope_checked_within_the_wait_is_checked_afresh_every_time():
    async def run() -> None:
        checks = Checks()
        cache = ViolationsCache(checks, max_age_s=60)
        answers = [(await cache.get("bldg-a", wait_s=1)).violations for _ in range(3)]
        assert answers == [["bldg-a", 1], ["bldg-a", 2], ["bldg-a", 3]]

    asyncio.run(run())


def test_a_check_that_outlives_the_wait_goes_on_and_serves_the_next_caller():
    async def run() -> None:
        checks = Checks(delay_s=0.2)
        cache = ViolationsCache(checks)
        assert await cache.get("bldg-a", wait_s=0.01) is None  # never checked: being checked
        await asyncio.sleep(0.3)
        done = await cache.get("bldg-a", wait_s=0.01)
        assert done is not None and done.violations == ["bldg-a", 1] and checks.count == 1

    asyncio.run(run())


def test_callers_at_the_same_time_share_one_check_per_scope():
    async def run() -> None:
        checks = Checks(delay_s=0.05)
        cache = ViolationsCache(checks)
        results = await asyncio.gather(*(cache.get("bldg-a", wait_s=1) for _ in range(5)))
        assert checks.count == 1 and all(r is results[0] for r in results)
        await cache.get("bldg-b", wait_s=1)
        assert checks.count == 2

    asyncio.run(run())


def test_a_failed_check_raises_to_its_caller_and_the_next_caller_checks_again():
    async def run() -> None:
        checks = Checks(fail=True)
        cache = ViolationsCache(checks)
        with pytest.raises(RuntimeError, match="under bldg-a failed"):
            await cache.get("bldg-a", wait_s=1)
        checks.fail = False
        assert (await cache.get("bldg-a", wait_s=1)).violations == ["bldg-a", 2]

    asyncio.run(run())


def test_the_scope_checked_longest_ago_is_dropped_past_the_limit():
    async def run() -> None:
        checks = Checks(delay_s=0.02)
        cache = ViolationsCache(checks, max_scopes=2)
        for scope in ("a", "b", "c"):
            await cache.get(scope, wait_s=1)
        await cache.get("b", wait_s=0.001)  # kept
        await cache.get("a", wait_s=1)  # dropped: checked again
        assert checks.count == 4

    asyncio.run(run())
