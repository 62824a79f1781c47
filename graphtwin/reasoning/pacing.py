"""Long pure-Python loops in the server's event loop, paced so that requests still run.

A whole building's constraint reasoning builds and combines ~20,000 contributions and reads
~20,000 values in Python between its statements (the 10,000-point building with 302 anchors):
run in one go, each such loop held the event loop for up to 3 s, and every page that came in
meanwhile (the server checks a large scope in the background for the inbox) waited for it.
`paced` hands the loop back every `every` items, so a request waits at most a few milliseconds.

>>> async def total(xs):
...     return sum([x async for x in paced(xs, every=2)])
>>> import asyncio; asyncio.run(total(range(5)))
10
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import TypeVar

T = TypeVar("T")

EVERY = 256
"""Items between two hand-backs: a few milliseconds of the reasoning's loops (~0.04-0.12 ms
an item on the shared two-core machine)."""


async def paced(items: Iterable[T], every: int = EVERY) -> AsyncIterator[T]:
    """`items`, handing the event loop back (`asyncio.sleep(0)`) after every `every` of them."""
    for count, item in enumerate(items, start=1):
        yield item
        if count % every == 0:
            await asyncio.sleep(0)
