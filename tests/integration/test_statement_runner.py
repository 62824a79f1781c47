"""The statement runner: catalogue statements by name in the shapes callers take, sync and async;
a statement Neo4j refuses is a `StatementRefusedError` naming it, with Neo4j's error as its
cause, while every other database error passes through as the driver raised it."""

from __future__ import annotations

import asyncio

import neo4j
import pytest
from neo4j.exceptions import ClientError, ConstraintError

from graphtwin.config import Settings
from graphtwin.errors import GraphTwinError, StatementRefusedError
from graphtwin.store import TwinStore
from graphtwin.store import statement_runner as runner
from graphtwin.store.connection import open_async_driver, resolve_target
from graphtwin.store.statement_runner import Compiled

pytestmark = pytest.mark.neo4j

BROKEN = Compiled("test/broken", "RETURN $x +")
DUPLICATE = Compiled("test/duplicate_source", "CREATE (:Source {source_id: $id})")


def test_catalogue_statements_answer_all_rows_one_row_or_their_summary(store: TwinStore):
    with store.session() as session:
        runner.run(session, "admin/reset")
        assert runner.row(session, "read/twin_exists", twin_id="nowhere")["found"] is False
        assert runner.rows(session, "read/twin_nodes") == []
        summary = runner.run(session, DUPLICATE, id="runner-once")
        assert summary.counters.nodes_created == 1
        runner.run(session, "admin/reset")


def test_a_refused_statement_is_a_graphtwin_error_naming_it_with_neo4js_error_as_its_cause(
    store: TwinStore,
):
    with store.session() as session, pytest.raises(StatementRefusedError) as caught:
        runner.rows(session, BROKEN, x=1)
    assert isinstance(caught.value, GraphTwinError)
    assert caught.value.statement == "test/broken"
    assert caught.value.code.startswith("Neo.ClientError.Statement.")
    assert "test/broken" in str(caught.value)
    assert isinstance(caught.value.__cause__, ClientError)
    with pytest.raises(StatementRefusedError, match="test/broken"):
        runner.query(store.driver, BROKEN, database_=store.database, x=1)


def test_a_violated_constraint_passes_through_as_the_drivers_own_error(store: TwinStore):
    with store.session() as session:
        runner.run(session, "admin/reset")
        runner.run(session, DUPLICATE, id="runner-twice")
        with pytest.raises(ConstraintError):
            runner.run(session, DUPLICATE, id="runner-twice")
        runner.run(session, "admin/reset")


def test_the_async_forms_answer_and_refuse_as_the_sync_ones(neo4j_settings: Settings):
    async def scenario() -> None:
        driver = await open_async_driver(resolve_target(neo4j_settings))
        database = neo4j_settings.neo4j_database
        try:
            [found] = await runner.query_async(
                driver, "read/twin_exists", database_=database, read_=True, twin_id="nowhere"
            )
            assert found["found"] is False
            async with driver.session(database=database) as session:
                row = await runner.row_async(session, "read/twin_exists", twin_id="nowhere")
                assert row is not None and row["found"] is False
                assert await runner.rows_async(session, "read/twin_nodes") is not None
                with pytest.raises(StatementRefusedError, match="test/broken") as caught:
                    await runner.run_async(session, BROKEN, x=1)
                assert isinstance(caught.value.__cause__, neo4j.exceptions.Neo4jError)
        finally:
            await driver.close()

    asyncio.run(scenario())
