"""The end of a connector session's tasks: the first to end decides, the rest are cancelled and
awaited, even a task that swallows its cancellation (Python 3.11's wait_for can)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from graphtwin.telemetry.connectors import until_first_ends


async def _fails_soon() -> None:
    await asyncio.sleep(0.01)
    raise ConnectionError("device gone")


async def _swallows_one_cancellation(ended: list[str]) -> None:
    with contextlib.suppress(asyncio.CancelledError):  # as wait_for does when the answer
        await asyncio.sleep(10)  # arrives with the cancellation
    try:
        while True:  # a poll loop that carries on
            await asyncio.sleep(0.01)
    finally:
        ended.append("poll")


def test_the_first_failure_is_raised_and_a_task_that_swallowed_its_cancellation_still_ends():
    async def run() -> list[str]:
        ended: list[str] = []
        tasks = [
            asyncio.create_task(_fails_soon()),
            asyncio.create_task(_swallows_one_cancellation(ended)),
        ]
        with pytest.raises(ConnectionError, match="device gone"):
            await asyncio.wait_for(until_first_ends(tasks), timeout=5)
        assert all(task.done() for task in tasks)
        return ended

    assert asyncio.run(run()) == ["poll"]


def test_cancelling_the_session_cancels_its_tasks_even_one_that_swallowed_it():
    async def run() -> list[str]:
        ended: list[str] = []
        inner = [asyncio.create_task(_swallows_one_cancellation(ended))]
        session = asyncio.create_task(until_first_ends(inner))
        await asyncio.sleep(0.05)
        session.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(session, timeout=5)
        assert inner[0].done()
        return ended

    assert asyncio.run(run()) == ["poll"]
