"""A viewer cannot stall the API, and no client ever sees the database's internals.

A real `graphtwin serve` and the real Neo4j: one client floods the server with 1,000-alias
queries while another's one-line query stays fast; a query past its time limit is stopped
together with its Neo4j transaction; a 10,000-character search is refused before the full-text
index sees it; a database error reaches the client only as a request id.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
from typing import Any

import httpx
import pytest
from neo4j.exceptions import DriverError, Neo4jError

from graphtwin.api.apikeys import ApiKeyStore
from graphtwin.api.context import ApiContext, ApiServices
from graphtwin.api.limits import QueryLimits
from graphtwin.api.roles import Principal, Role
from graphtwin.api.schema import build_schema
from graphtwin.config import Settings
from graphtwin.statements import cypher
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store.connection import open_async_driver
from importers import IMPORTERS
from tests.conftest import ROOT
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

CAMPUS = ROOT / "examples" / "demo-campus.yaml"
SCOPES = ["campus", "bldg-a", "bldg-a.l1", "bldg-a.l2", "bldg-a.l1.mech", "ahu-1"]
SIMPLE = '{ node(twinId: "ahu-1") { name } }'


@pytest.fixture
def campus(api: ApiServer, store: TwinStore) -> ApiServer:
    """The server over the demo campus, loaded in-process (`graphtwin import` has its own tests)."""
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    return api


def _aliases(field: str, count: int = 1000) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def _headers(server: ApiServer, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.keys[role]}"}


def test_while_one_client_sends_1000_alias_queries_another_clients_query_stays_under_1s(
    campus: ApiServer,
):
    floods = [
        _aliases('violations(scope: "campus") { twinId description }'),
        _aliases("__schema { types { name fields { name args { name } } } }"),
        _aliases('effectiveConstraints(twinId: "bldg-a") { property }'),
        # the costliest query the limit lets through: reasonings over different scopes
        "{ "
        + " ".join(f'a{i}: violations(scope: "{s}") {{ twinId }}' for i, s in enumerate(SCOPES))
        + " }",
    ]
    stop = threading.Event()
    answers: list[tuple[int, float, str | None]] = []

    def attack(query: str) -> None:
        with httpx.Client(headers=_headers(campus, Role.VIEWER), timeout=60) as client:
            for _ in range(200):  # bounded: it also stops once the measurement is done
                if stop.is_set():
                    return
                started = time.perf_counter()
                response = client.post(campus.graphql_url, json={"query": query})
                errors = response.json().get("errors") or [{}]
                code = (
                    errors[0].get("extensions", {}).get("code")
                    if "errors" in response.json()
                    else None
                )
                answers.append((response.status_code, time.perf_counter() - started, code))

    # Warm: Neo4j plans each statement once, which on a cold, busy server takes seconds; what
    # is measured is how one client's flood slows another's queries, not planning.
    campus.data(SIMPLE, role=Role.OPERATOR)
    for query in floods:
        campus.post(query)
    attackers = [threading.Thread(target=attack, args=(q,), daemon=True) for q in floods * 2]
    for thread in attackers:
        thread.start()
    times: list[float] = []
    bodies: list[Any] = []
    try:
        time.sleep(1.0)  # the flood is under way
        with httpx.Client(headers=_headers(campus, Role.OPERATOR), timeout=60) as client:
            for _ in range(40):
                started = time.perf_counter()
                response = client.post(campus.graphql_url, json={"query": SIMPLE})
                times.append(time.perf_counter() - started)
                bodies.append(response.json())
                time.sleep(0.05)
    finally:
        stop.set()
        for thread in attackers:
            thread.join(timeout=120)
    assert all(b == {"data": {"node": {"name": "AHU-1"}}} for b in bodies), bodies
    p95 = statistics.quantiles(times, n=20)[-1]
    assert p95 < 1.0, f"p95 {p95:.2f} s, slowest {max(times):.2f} s"
    refused = [a for a in answers if a[2] == "COST_LIMIT"]
    served = [a for a in answers if a[2] is None]
    assert refused and served, answers[:10]  # 1,000 aliases refused, the allowed flood served
    assert max(seconds for _, seconds, code in refused) < 5.0
    assert all(status == 200 for status, _, _ in answers)


def test_a_10000_character_search_is_refused_before_the_index_sees_it(campus: ApiServer):
    query = "query($s: String!) { search(text: $s) { twinId } }"
    for text, limit in (("a" * 10_000, "at most 200"), ("ab " * 20, "20 words: at most 16")):
        response = campus.post(query, variables={"s": text})
        assert response.status_code == 200
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_INPUT", error
        assert limit in error["message"], error
        assert "neo4j" not in error["message"].lower() and "lucene" not in error["message"]
    # Lucene syntax in a bounded text is only text: no error, and nothing matches it
    assert campus.data(query, variables={"s": 'supply~ "air" (temp*) OR *:*'})["search"] == []
    found = campus.data(query, variables={"s": "supply air temp"})["search"]
    assert {"ahu-1.sat", "ahu-1.sat-sp"} <= {n["twinId"] for n in found}


def test_every_answer_names_its_request_id_in_a_header(campus: ApiServer):
    first = campus.post(SIMPLE)
    second = campus.post("{ nope }")
    ids = {first.headers.get("x-request-id"), second.headers.get("x-request-id")}
    assert None not in ids and len(ids) == 2


async def _execute(
    settings: Settings, query: str, limits: QueryLimits, database: str | None = None
) -> tuple[Any, ApiContext]:
    target = resolve_target(settings)
    driver = await open_async_driver(target)
    try:
        services = ApiServices(driver, database or target.database, settings,
                               ApiKeyStore(driver, target.database), limits=limits)  # fmt: skip
        context = ApiContext(services, Principal("k1", "test", Role.VIEWER))
        result = await build_schema().execute(query, context_value=context)
        return result, context
    finally:
        await driver.close()


async def _running(settings: Settings, text: str) -> list[str]:
    target = resolve_target(settings)
    driver = await open_async_driver(target)
    try:
        records, _, _ = await driver.execute_query(
            cypher("admin/running_transactions"), database_=target.database
        )
    finally:
        await driver.close()
    return [r["currentQuery"] for r in records if text in (r["currentQuery"] or "")]


def test_a_query_past_its_time_limit_is_stopped_with_its_neo4j_transaction(
    neo4j_settings: Settings, store: TwinStore
):
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    query = '{ violations(scope: "campus") { twinId } }'
    # Neo4j plans the reasoning's statements once (seconds on a cold server; planning is not
    # interrupted); what is tested is stopping a statement while it runs.
    warm, _ = asyncio.run(_execute(neo4j_settings, query, QueryLimits()))
    assert warm.errors is None, warm.errors
    # Far below what the reasoning's statements take even warm (0.02 s was met once on CI once
    # the plans were cached): the limit must be what stops it, however fast the server is.
    limits = QueryLimits(timeout_s=0.001)
    started = time.perf_counter()
    result, _ = asyncio.run(_execute(neo4j_settings, query, limits))
    assert time.perf_counter() - started < 5
    [error] = result.errors
    assert error.extensions["code"] == "TIME_LIMIT", error
    assert "0.001 s" in error.message
    marker = "SHORTEST 1 (root)"  # the subtree statement of the reasoning
    deadline = time.monotonic() + 15  # Neo4j checks for termination between steps of a plan
    while (running := asyncio.run(_running(neo4j_settings, marker))) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert not running, f"Neo4j still runs the cancelled query: {running}"


def test_a_database_error_reaches_the_client_only_as_a_request_id_and_is_logged(
    neo4j_settings: Settings, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.ERROR, logger="graphtwin.api.execution")
    result, context = asyncio.run(
        _execute(neo4j_settings, SIMPLE, QueryLimits(), database="no-such-database")
    )
    [error] = result.errors
    assert error.extensions == {"code": "STORE_ERROR", "requestId": context.request_id}
    assert context.request_id in error.message
    assert "no-such-database" not in error.message and "Neo." not in error.message
    [logged] = [r for r in caplog.records if context.request_id in r.getMessage()]
    assert logged.exc_info is not None  # the database's own error, with its traceback
    assert isinstance(logged.exc_info[1], Neo4jError | DriverError)
