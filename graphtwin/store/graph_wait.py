"""Waiting for Neo4j on a request's behalf, bounded in time, so that no request hangs on a
database that is stopped, paused or unreachable.

A call gets `timeout_s`. If Neo4j does not answer in time, or answers that it is away, the call
raises `GraphAwayError` and, for `retry_s` afterwards (and while a call that ran out of time is
still under way), further calls raise it at once instead of queueing behind the absent server.
The caller goes on from what it knows (cached API keys, known points) or answers 503 with
`Retry-After`. A call that ran out of time is not cancelled: it may be a write whose batch must
not be lost, and a worker thread cannot be cancelled anyway. When it ends, the graph is known to
answer again.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import neo4j

from graphtwin.errors import GraphAwayError

log = logging.getLogger(__name__)

T = TypeVar("T")

GRAPH_AWAY: tuple[type[BaseException], ...] = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.TransientError,
    neo4j.exceptions.DriverError,
    ConnectionError,
    OSError,
)
"""What a database that went away looks like to the driver."""


class GraphWait:
    """One server's view of whether Neo4j answers, shared by the calls made for its requests."""

    def __init__(self, timeout_s: float = 5.0, retry_s: float = 5.0) -> None:
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self._away_until = 0.0
        self._late: asyncio.Future[object] | None = None

    @property
    def away(self) -> bool:
        """True while Neo4j is taken to be away: a call failed less than `retry_s` ago, or one
        that ran out of time has not ended yet."""
        late = self._late
        return time.monotonic() < self._away_until or (late is not None and not late.done())

    @property
    def retry_after_s(self) -> int:
        """Whole seconds after which asking again may succeed (the `Retry-After` value)."""
        left = max(self._away_until - time.monotonic(), self.retry_s if self.away else 0.0)
        return max(1, math.ceil(left))

    def failed(self, why: str) -> GraphAwayError:
        """Records that Neo4j did not answer; the error to raise."""
        self._away_until = time.monotonic() + self.retry_s
        return GraphAwayError(
            f"Neo4j is not answering ({why}); try again in {self.retry_after_s} s",
            retry_after_s=self.retry_after_s,
        )

    async def call(self, start: Callable[[], Awaitable[T]]) -> T:
        """The result of `start()`, or GraphAwayError if Neo4j is away or does not answer
        within `timeout_s` (the call then goes on in the background; it is not cancelled)."""
        if self.away:
            raise GraphAwayError(
                f"Neo4j is not answering; try again in {self.retry_after_s} s",
                retry_after_s=self.retry_after_s,
            )
        task: asyncio.Future[T] = asyncio.ensure_future(start())
        try:
            result = await asyncio.wait_for(asyncio.shield(task), self.timeout_s)
        except TimeoutError:
            self._late = task  # type: ignore[assignment]
            task.add_done_callback(self._late_call_ended)
            raise self.failed(f"no answer within {self.timeout_s:g} s") from None
        except GRAPH_AWAY as exc:
            raise self.failed(f"{type(exc).__name__}: {exc}") from exc
        self._away_until = 0.0
        return result

    async def in_thread(self, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        """`function(*args, **kwargs)` (a blocking call to the graph) in a worker thread, as
        `call` bounds it."""
        return await self.call(lambda: asyncio.to_thread(function, *args, **kwargs))

    def _late_call_ended(self, task: asyncio.Future[object]) -> None:
        """A call that ran out of time has ended: if it succeeded, the graph answers again."""
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self._away_until = 0.0
        else:
            log.warning("a Neo4j call that ran out of time failed later: %r", error)
            self._away_until = time.monotonic() + self.retry_s
