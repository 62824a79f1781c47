"""What a request's resolvers share: the database, the caller and the batches in flight."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import neo4j
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.key_gates import KeyGates
from graphtwin.api.limits import QueryLimits
from graphtwin.api.roles import Principal
from graphtwin.config import Settings
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.violations_cache import CHECK_TIMEOUT_S, ViolationsCache
from graphtwin.store import statement_runner as runner
from graphtwin.store.graph_wait import GraphWait
from graphtwin.store.statement_runner import Compiled, Statement

if TYPE_CHECKING:  # the telemetry stack loads only where it runs
    from graphtwin.telemetry.sync import TwinSync

Fetcher = Callable[..., Awaitable[list[Any]]]
"""`fetcher(context, parents, **arguments)`: one result per parent, from one statement or a
fixed few, however many parents there are."""

FUSED = "a statement of graphtwin.api.fused_cypher"
"""The name a fused read goes by in errors (it is compiled for its query, not in the catalogue)."""


@dataclass
class ApiServices:
    """Built once per server: shared by every request."""

    driver: neo4j.AsyncDriver
    database: str
    settings: Settings
    api_keys: ApiKeyStore
    limits: QueryLimits = field(default_factory=QueryLimits)
    telemetry: TwinSync | None = None  # live values, history and drift (graphtwin.telemetry)
    graph: GraphWait = field(default_factory=GraphWait)
    """How long a request waits for Neo4j, and whether it is away (keys, pushes)."""
    gates: KeyGates = field(init=False)
    """Neo4j reads under way per API key (`limits.reads_per_key` each)."""
    violations: ViolationsCache = field(init=False)
    """Each scope's constraint violations, kept for a minute and checked again in the
    background (the inbox reads them: a large building's reasoning outlasts a page)."""

    def __post_init__(self) -> None:
        self.gates = KeyGates(self.limits.reads_per_key, self.limits.reasonings_per_key)
        self.violations = ViolationsCache(self._check_violations)

    async def _check_violations(self, scope: str) -> list[Violation]:
        reader = ConstraintReader(self.driver, self.database, timeout_s=CHECK_TIMEOUT_S)
        return await reader.violations(scope)


class ApiContext(BaseContext):
    """One request: its caller, the services, and the strawberry path's batch loaders."""

    def __init__(self, services: ApiServices, principal: Principal | None) -> None:
        super().__init__()
        self.services = services
        self.principal = principal
        self._loaders: dict[tuple[Fetcher, tuple[tuple[str, Any], ...]], DataLoader] = {}
        self._reads: dict[tuple[str, Any], asyncio.Future[list[neo4j.Record]]] = {}
        self.request_id = uuid.uuid4().hex[:16]
        """Names the request in the server's log and in the errors it answers."""
        self.deadline: float | None = None
        """`time.monotonic()` by which the query must be done (None: no limit)."""

    def remaining_s(self) -> float | None:
        """Seconds left before the deadline (at least a millisecond), None without one."""
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 0.001)

    @asynccontextmanager
    async def neo4j_slot(self, *, expensive: bool = False) -> AsyncIterator[None]:
        """Hold one of the caller's Neo4j slots (`KeyGates`) while the body reads; an
        `expensive` read (constraint reasoning) one of its few expensive slots too."""
        key = self.principal.key_id if self.principal else "anonymous"
        async with self.services.gates.slot(key, expensive=expensive):
            yield

    async def read(self, statement: str, **params: Any) -> list[neo4j.Record]:
        """Run a read statement of the Cypher catalogue (by name) with `params`.

        Within one request the same statement with the same parameters runs once: fields that
        read the same thing (`properties`, `property(key)` and `origin` of one level, a node
        asked for under two aliases) share its answer, even while it is still under way.
        """
        key = (statement, _hashable(params))
        pending = self._reads.get(key)
        if pending is None:
            pending = self._reads[key] = asyncio.ensure_future(self._read(statement, params))
        return await pending

    async def read_compiled(self, text: str, params: dict[str, Any]) -> list[neo4j.Record]:
        """Run a read statement compiled for this query (`graphtwin.api.fused_cypher`: the one
        generator of statement text), as `read` runs the catalogue's, sharing its answer."""
        key = ("compiled", text, _hashable(params))
        pending = self._reads.get(key)
        if pending is None:
            pending = self._reads[key] = asyncio.ensure_future(
                self._read(Compiled(FUSED, text), params)
            )
        return await pending

    async def _read(self, statement: Statement, params: dict[str, Any]) -> list[neo4j.Record]:
        # The transaction timeout makes Neo4j itself stop a read the request no longer waits
        # for; cancelling the request (its time limit) closes the connection under way too.
        async with self.neo4j_slot():
            return await runner.query_async(
                self.services.driver,
                statement,
                database_=self.services.database,
                read_=True,
                timeout_=self.remaining_s(),
                **params,
            )

    async def write(self, statement: str, **params: Any) -> list[neo4j.Record]:
        self._reads.clear()  # what was read before may have changed
        return await runner.query_async(
            self.services.driver, statement, database_=self.services.database, **params
        )

    def batch(self, fetcher: Fetcher, arguments: dict[str, Any]) -> DataLoader:
        """The loader that gathers the parents of one field (same arguments) into one fetch.

        Used when strawberry executes field by field (mutations, introspection, anything the
        planner leaves to it): the fields of one level still run one statement between them.
        """
        key = (fetcher, tuple(sorted((k, _hashable(v)) for k, v in arguments.items())))
        loader = self._loaders.get(key)
        if loader is None:

            async def load(parents: Sequence[Any]) -> list[Any]:
                return await fetcher(self, list(parents), **arguments)

            loader = self._loaders[key] = DataLoader(load_fn=load, cache=False)
        return loader


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value
