"""The one way graphtwin runs a Cypher statement: by its name in the catalogue (`cypher/`), with
keyword parameters, in a transaction (or a session) the caller holds or on a driver in a
transaction of its own, synchronously or with asyncio.

Example::

    from graphtwin.store import statement_runner as runner

    found = runner.rows(tx, "load/nodes_lookup", ids=["ahu-1"])  # every record
    source = runner.row(tx, "load/source_lookup", source_id="plant")  # one record or None
    runner.run(tx, "versions/nodes_close", rows=closing)  # nothing back but the summary
    records = await runner.query_async(driver, "read/node", database_="neo4j", read_=True, ...)

A statement Neo4j refuses (a syntax, type or semantic error: `Neo.ClientError.Statement.*`, a
bug in graphtwin, never the user's input) is a `StatementRefusedError` naming the statement, with
Neo4j's error as its cause. Every other error of the database (a constraint a write violates, a
transaction that timed out, a transient error the driver retries, a database that is away) passes
through as the driver raised it, so the code that handles it keeps doing so.

A statement written for one request rather than kept in the catalogue (the API's fused reads,
`graphtwin.api.fused_cypher`) is a `Compiled`: its text with a name for its errors.

`tests/unit/test_statement_runner_only.py` fails when a module outside this one calls `.run(` or
`execute_query(` on a transaction, session or driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import neo4j
from neo4j.exceptions import ClientError

from graphtwin.errors import StatementRefusedError
from graphtwin.statements import cypher

_REFUSED = "Neo.ClientError.Statement."


class Compiled(NamedTuple):
    """A statement written for one request (not in the catalogue): `name` says which in errors."""

    name: str
    text: str


Statement = str | Compiled
SyncRunner = neo4j.Session | neo4j.Transaction | neo4j.ManagedTransaction
AsyncRunner = neo4j.AsyncSession | neo4j.AsyncTransaction | neo4j.AsyncManagedTransaction


def _text(statement: Statement) -> str:
    return statement.text if isinstance(statement, Compiled) else cypher(statement)


def _name(statement: Statement) -> str:
    return statement.name if isinstance(statement, Compiled) else statement


@contextmanager
def _refusals(statement: Statement) -> Iterator[None]:
    """Neo4j's refusal of `statement` as a `StatementRefusedError` naming it."""
    try:
        yield
    except ClientError as exc:
        code = exc.code or ""
        if not code.startswith(_REFUSED):
            raise
        raise StatementRefusedError(_name(statement), code, exc.message or str(exc)) from exc


# --- in a transaction or session the caller holds ----------------------------------------------


def rows(tx: SyncRunner, statement: Statement, /, **params: Any) -> list[neo4j.Record]:
    """Every record `statement` answers with `params`."""
    with _refusals(statement):
        return list(tx.run(_text(statement), params))


def row(tx: SyncRunner, statement: Statement, /, **params: Any) -> neo4j.Record | None:
    """The one record `statement` answers (the first if it answers several), or None."""
    with _refusals(statement):
        return tx.run(_text(statement), params).single()


def run(tx: SyncRunner, statement: Statement, /, **params: Any) -> neo4j.ResultSummary:
    """Run `statement` for what it writes; its summary (counters) is all that comes back."""
    with _refusals(statement):
        return tx.run(_text(statement), params).consume()


async def rows_async(tx: AsyncRunner, statement: Statement, /, **params: Any) -> list[neo4j.Record]:
    """Every record `statement` answers with `params`."""
    with _refusals(statement):
        result = await tx.run(_text(statement), params)
        return [record async for record in result]


async def row_async(tx: AsyncRunner, statement: Statement, /, **params: Any) -> neo4j.Record | None:
    """The one record `statement` answers (the first if it answers several), or None."""
    with _refusals(statement):
        result = await tx.run(_text(statement), params)
        return await result.single()


async def run_async(tx: AsyncRunner, statement: Statement, /, **params: Any) -> neo4j.ResultSummary:
    """Run `statement` for what it writes; its summary (counters) is all that comes back."""
    with _refusals(statement):
        result = await tx.run(_text(statement), params)
        return await result.consume()


# --- on a driver, in a transaction of its own (retried by the driver) -------------------------


def query(
    driver: neo4j.Driver,
    statement: Statement,
    /,
    *,
    database_: str,
    read_: bool = False,
    timeout_: float | None = None,
    **params: Any,
) -> list[neo4j.Record]:
    """Every record `statement` answers, in a transaction of its own on `database_`: a read one
    (a cluster routes it to a follower) when `read_`. Ordered after the driver's earlier
    writes (its `execute_query_bookmark_manager`); Neo4j stops it after `timeout_` seconds."""
    query_, routing = _query(statement, read_, timeout_)
    with _refusals(statement):
        records, _, _ = driver.execute_query(query_, params, database_=database_, routing_=routing)
    return records


async def query_async(
    driver: neo4j.AsyncDriver,
    statement: Statement,
    /,
    *,
    database_: str,
    read_: bool = False,
    timeout_: float | None = None,
    **params: Any,
) -> list[neo4j.Record]:
    """`query` on an async driver."""
    query_, routing = _query(statement, read_, timeout_)
    with _refusals(statement):
        records, _, _ = await driver.execute_query(
            query_, params, database_=database_, routing_=routing
        )
    return records


def _query(
    statement: Statement, read: bool, timeout: float | None
) -> tuple[neo4j.Query, neo4j.RoutingControl]:
    routing = neo4j.RoutingControl.READ if read else neo4j.RoutingControl.WRITE
    return neo4j.Query(_text(statement), timeout=timeout), routing
