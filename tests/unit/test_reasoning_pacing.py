"""graphtwin.reasoning.pacing: a long loop hands the event loop back, so other tasks run."""

from __future__ import annotations

import asyncio

from graphtwin.reasoning.pacing import paced


def test_another_task_runs_between_every_few_items_and_every_item_comes_once():
    async def run() -> tuple[list[int], list[int]]:
        seen: list[int] = []
        ticks: list[int] = []

        async def other() -> None:
            while len(seen) < 10:
                ticks.append(len(seen))  # how many items the loop had reached
                await asyncio.sleep(0)

        task = asyncio.create_task(other())
        await asyncio.sleep(0)  # the other task is waiting for the loop
        async for item in paced(range(10), every=3):
            seen.append(item)  # no await here: only paced hands the loop back
        await task
        return seen, ticks

    seen, ticks = asyncio.run(run())
    assert seen == list(range(10))
    # it ran after items 3, 6 and 9 (and before the first), never in between
    assert ticks == [0, 3, 6, 9]
