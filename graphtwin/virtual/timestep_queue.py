"""Timesteps from EnergyPlus's worker thread to a server's asyncio loop, in order.

EnergyPlus runs in a worker thread and a virtual building's server (OPC UA or BACnet) in the
asyncio loop. `put` (called in the engine's thread) queues a timestep for the loop, which hands
them one by one to the server's `publish`. EnergyPlus goes on computing meanwhile, at most
`max_behind` timesteps ahead of what is published (then `put` waits, up to `timeout_s`), so no
timestep is skipped and the server is never far behind; `drain` waits for the queue. What
`publish` raises is raised again in the engine's thread (its next `put`) and by `drain`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

from graphtwin.virtual.engine import SampleSink

T = TypeVar("T")

Timestep = tuple[datetime, dict[str, float]]
"""What a server publishes: the time it serves the values at, and the values by twin id."""

MAX_BEHIND = 64
PUBLISH_TIMEOUT_S = 60.0


class TimestepQueue(Generic[T]):
    """See the module doc. `start` and `stop` run in the loop, `put` in the engine's thread."""

    def __init__(
        self,
        publish: Callable[[T], Awaitable[None]],
        *,
        what: str,
        max_behind: int = MAX_BEHIND,
        timeout_s: float = PUBLISH_TIMEOUT_S,
    ) -> None:
        self._publish = publish
        self._what = what  # "the OPC UA server", for the timeout's message
        self._timeout_s = timeout_s
        self._queue: asyncio.Queue[T] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._room = threading.Semaphore(max_behind)
        self._writer: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    def start(self, name: str) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_queued(), name=name)

    async def stop(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    def put(self, item: T, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Queue one timestep for the loop (called in the engine's thread)."""
        if self._failure is not None:
            raise self._failure
        if not self._room.acquire(timeout=self._timeout_s):
            raise TimeoutError(f"{self._what} wrote nothing for {self._timeout_s:g} s")
        queue, loop = self._queue, loop or self._loop
        if queue is None or loop is None:
            raise RuntimeError(f"{self._what} is not running")
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def sink(
        self: TimestepQueue[Timestep],
        loop: asyncio.AbstractEventLoop,
        served_at: Callable[[datetime], datetime],
    ) -> SampleSink:
        """A sample sink for the engine's thread: each timestep is queued for `loop` to publish
        with the time `served_at(now)`."""

        def on_sample(now: datetime, values: dict[str, float]) -> None:
            self.put((served_at(now), values), loop)

        return on_sample

    async def drain(self) -> None:
        """Wait until every queued timestep is published (raises what publishing raised)."""
        if self._queue is None or self._writer is None:
            return
        joined = asyncio.ensure_future(self._queue.join())
        try:
            await asyncio.wait({joined, self._writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            joined.cancel()
        if self._failure is not None:
            raise self._failure

    async def _write_queued(self) -> None:
        assert self._queue is not None
        while True:
            item = await self._queue.get()
            try:
                await self._publish(item)
            except Exception as exc:  # raised in the engine's thread and by drain()
                self._failure = exc
                raise
            finally:
                self._queue.task_done()
                self._room.release()
            # Let the server answer its clients (reads, publish requests) between timesteps:
            # with EnergyPlus far ahead the queue is never empty, and a loop that never yields
            # starves the sessions until their clients give up and reconnect.
            await asyncio.sleep(0)


class ServesTimesteps:
    """What a virtual building's server (OPC UA, BACnet, Sparkplug B) gives the engine, through
    the `TimestepQueue` it keeps as `_timesteps`: its sample sink, and a wait for the queue."""

    _timesteps: TimestepQueue[Timestep]

    def sink(
        self, loop: asyncio.AbstractEventLoop, served_at: Callable[[datetime], datetime]
    ) -> SampleSink:
        """A sample sink for the engine's thread (`TimestepQueue.sink`)."""
        return self._timesteps.sink(loop, served_at)

    async def drain(self) -> None:
        """Wait until every queued timestep is published (raises what publishing raised)."""
        await self._timesteps.drain()
