"""Waiting in async tests for something a real server or connector does in its own time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from graphtwin.telemetry.readings import Reading, SourceHealth

Body = Callable[[list[Reading], SourceHealth], Awaitable[None]]
"""What a connector test does while the connector runs: it gets the readings and the health."""


async def wait_until(
    check: Callable[[], bool], timeout: float = 10.0, poll_s: float = 0.05
) -> float:
    """Seconds it took until `check()` held; fails the test after `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - start
