"""The graph writer's value statement on the real Neo4j: one map SET per row behind the
older-value guard, so a second writer can never move a point back in time."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import GraphWriter, value_row
from tests.support.telemetry_twin import load_plant

pytestmark = pytest.mark.neo4j

SAT, OAT = "ahu-1.sat", "ahu-1.oat"
T0 = 1_765_000_000_000  # epoch ms


def current(store: TwinStore, twin_id: str) -> dict:
    return store.read("api/nodes_by_id", ids=[twin_id])[0]["n"]["current"]


def test_a_value_older_than_the_points_is_skipped_and_a_bad_reading_is_a_fault(
    store: TwinStore, tmp_path: Path
):
    load_plant(store, tmp_path)
    writer = GraphWriter(store)
    first = [value_row(SAT, 16.5, T0, "good", "opcua"), value_row(OAT, 4.0, T0, "bad", "modbus")]
    assert writer.write_batch(first, [], [], []) == 2

    late = [value_row(SAT, 99.0, T0 - 1, "good", "api"), value_row(OAT, 5.0, T0, "good", "api")]
    assert writer.write_batch(late, [], [], []) == 1  # the same time is not older: it lands

    sat, oat = current(store, SAT), current(store, OAT)
    assert (sat["value"], sat["source"], sat["health"]) == (16.5, "opcua", "ok")
    assert (oat["value"], oat["quality"], oat["health"]) == (5.0, "good", "ok")
    writer.write_batch([value_row(OAT, 3.0, T0 + 1, "bad", "modbus")], [], [], [])
    assert current(store, OAT)["health"] == "fault"
    writer.write_batch([value_row(OAT, 3.0, T0 + 2, "uncertain", "bacnet")], [], [], [])
    assert current(store, OAT)["health"] == "uncertain"  # out of service: not ok, not a fault
