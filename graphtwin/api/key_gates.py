"""How much Neo4j work one API key may have under way at once, all its requests together.

A key that sends many costly queries at once waits for its own turns instead of taking every
connection of the driver's pool, or every core of Neo4j: other keys' reads go ahead. Two
bounds: reads of any kind (`per_key`), and the expensive ones among them (`expensive_per_key`:
constraint reasoning, which reads a whole subtree).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Gate:
    reads: asyncio.Semaphore
    expensive: asyncio.Semaphore
    users: int = field(default=0)


class KeyGates:
    """Slots per key; a key's gate lives while one of its reads holds or waits for a slot."""

    def __init__(self, per_key: int, expensive_per_key: int = 1) -> None:
        if per_key < 1 or expensive_per_key < 1:
            raise ValueError("each key needs at least one slot of each kind")
        self.per_key = per_key
        self.expensive_per_key = expensive_per_key
        self._gates: dict[str, _Gate] = {}

    @asynccontextmanager
    async def slot(self, key: str, *, expensive: bool = False) -> AsyncIterator[None]:
        """Hold one of `key`'s slots for the body (waiting for one to be free); an expensive
        read first waits for one of the key's few expensive slots, then for a read slot."""
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _Gate(
                asyncio.Semaphore(self.per_key), asyncio.Semaphore(self.expensive_per_key)
            )
        gate.users += 1
        try:
            async with AsyncExitStack() as held:
                if expensive:
                    await held.enter_async_context(gate.expensive)
                await held.enter_async_context(gate.reads)
                yield
        finally:
            gate.users -= 1
            if gate.users == 0:
                del self._gates[key]

    def in_use(self, key: str) -> int:
        """How many reads of `key` hold or wait for a slot now."""
        gate = self._gates.get(key)
        return gate.users if gate else 0
