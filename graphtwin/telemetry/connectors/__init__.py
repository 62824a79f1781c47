"""One connector per protocol. Each is an object with `async run(sink, health)` that delivers
`Reading`s until cancelled and survives its device's failures (see readings.py)."""

import asyncio
from collections.abc import AsyncIterator

from graphtwin.errors import SchemaViolationError
from graphtwin.telemetry.bindings import Binding


def require_addresses(source_id: str, bindings: list[Binding], kind: str, fields: str) -> None:
    """Every binding given to a connector has that connector's kind of address (`fields` names
    them for the message): a binding routed to the wrong connector is a configuration error."""
    for binding in bindings:
        if binding.address_kind != kind:
            raise SchemaViolationError(
                f"binding has no {fields} address for {source_id}",
                entity=f"binding {binding.source} {binding.source_address}",
            )


RECANCEL_S = 0.5
"""How long a cancelled task has to end before it is cancelled again."""


async def until_first_ends(tasks: list[asyncio.Task[None]]) -> None:
    """Wait until one of a session's tasks (polls, watches, renewals) ends and raise what it
    raised (return if it ended cleanly); the others are cancelled and awaited either way.

    A task that goes on after its cancellation is cancelled again until it ends: Python 3.11's
    `asyncio.wait_for` (which pymodbus, bacpypes3 and asyncua await inside every request)
    swallows a cancellation that arrives as its answer does (gh-86296), and the poll loop then
    carries on, so the session, and whoever cancelled it, waited for ever."""
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()
    finally:
        pending = set(tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=RECANCEL_S)
        for task in tasks:  # retrieved, so none is reported as never retrieved
            if not task.cancelled():
                task.exception()


async def every(period_s: float) -> AsyncIterator[None]:
    """Yields at once, then every `period_s` on the loop's clock, for a poll loop. A poll that
    took longer than the period (a slow device) is followed at once by the next, and the missed
    ones are skipped, so the period holds and polls never pile up.

    >>> async for _ in every(1.0):  # doctest: +SKIP
    ...     await poll()
    """
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        yield
        due += period_s
        now = loop.time()
        if due < now:
            due = now
        await asyncio.sleep(due - now)
