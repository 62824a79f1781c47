"""A twin no constraint applies to has nothing to check (graphtwin.reasoning.governed): the
inbox and the violations answer at once, and a rule imported afterwards is checked at the next
read, on the real Neo4j."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graphtwin.config import Settings
from graphtwin.errors import TwinNotFoundError
from graphtwin.inbox import read_inbox
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.reasoning.governed import nothing_to_check
from graphtwin.reasoning.violations_cache import ViolationsCache
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from importers import IMPORTERS
from tests.integration.test_constraint_propagation import RULES, SITE

pytestmark = pytest.mark.neo4j


def test_the_inbox_checks_constraints_once_a_rule_applies(
    store: TwinStore, tmp_path: Path, neo4j_settings: Settings
):
    site, rules = tmp_path / "site.yaml", tmp_path / "rules.yaml"
    site.write_text(SITE)
    rules.write_text(RULES)
    store.load([IMPORTERS["twin"].parse(site)])
    checked: list[str] = []

    async def run() -> None:
        target = resolve_target(neo4j_settings)
        driver = await open_async_driver(target)
        reader = ConstraintReader(driver, target.database)

        async def check(scope: str) -> list[Violation]:
            checked.append(scope)
            return await reader.violations(scope)

        cache = ViolationsCache(check)
        try:
            # no rule anywhere: nothing to check, and nothing checked, even in the background
            assert await nothing_to_check(driver, target.database, "bldg")
            with pytest.raises(TwinNotFoundError):
                await nothing_to_check(driver, target.database, "no-such-node")
            items = await read_inbox(driver, target.database, cache=cache, violations_s=60.0)
            assert [i for i in items if i.source == "violation"] == []
            assert checked == []
            # the rules arrive: the next read checks them and ranks what they find
            store.load([IMPORTERS["governance"].parse(rules)])
            assert not await nothing_to_check(driver, target.database, "bldg")
            items = await read_inbox(driver, target.database, cache=cache, violations_s=60.0)
            assert checked == ["bldg"]
            found = {(i.type, i.twin_id) for i in items if i.source == "violation"}
            assert found == {("range", "room-102"), ("capacity", "ahu")}
            # the same answer as the reasoning's own, without the cache
            direct = await read_inbox(driver, target.database, violations_s=60.0)
            assert [i.item_id for i in direct] == [i.item_id for i in items]
        finally:
            await driver.close()

    asyncio.run(run())
