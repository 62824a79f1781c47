"""What a what-if run covers on the demo campus, where the VAV boxes serve rooms of Building A
but are located nowhere (as in many Brick models): the boxes, the AHU feeding them and their
zone sensors are part of the building's run, a box or one of its points names that building as
the run's scope, and tripping the AHU takes supply from every room the boxes serve. A zone
whose history holds one value minutes old starts from it (or from a newer current value), and
one with nothing to start from is refused naming the zone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphtwin.config import Settings
from graphtwin.simulation.errors import SimulationInputError
from graphtwin.simulation.overlay import Overlay, ScopeNode, read_overlay, scope_of
from graphtwin.simulation.result import SimulationResult
from graphtwin.simulation.thermal.points import NodeInfo, zone_points
from graphtwin.simulation.topology import SupplyNetwork, impact
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from graphtwin.telemetry.history import HistoryStore
from importers.twinfile import TwinFileImporter
from tests.integration.test_simulation_run import _run

pytestmark = pytest.mark.neo4j

CAMPUS = Path(__file__).parents[2] / "examples" / "demo-campus.yaml"
ROOMS = ["bldg-a.l1.r101", "bldg-a.l2.r201", "bldg-a.l2.r202"]
VALUES = {"vav-101.zat": 23.0, "vav-201.zat": 24.0, "vav-202.zat": 24.5, "ahu-1.sat": 13.0}


@pytest.fixture
def campus(store: TwinStore) -> TwinStore:
    return _load(store, VALUES)


def _load(store: TwinStore, values: dict[str, float]) -> TwinStore:
    """The demo campus, with `values` as its points' current values a minute ago."""
    store.load([TwinFileImporter().parse(CAMPUS)])
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    store.write(
        "api/point_values_set",
        rows=[
            {"twin_id": k, "value": v, "at": at, "quality": "good", "source": "bms"}
            for k, v in values.items()
        ],
    )
    return store


def _read(settings: Settings, named: list[str]) -> tuple[list[str], Overlay]:
    async def go() -> tuple[list[str], Overlay]:
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        try:
            scopes = [
                await scope_of(driver, [("target", n)], database=target.database) for n in named
            ]
            overlay = await read_overlay(driver, scope="bldg-a", database=target.database)
            return scopes, overlay
        finally:
            await driver.close()

    return asyncio.run(go())


def test_boxes_serving_rooms_and_their_ahu_belong_to_the_building_they_serve(
    campus: TwinStore, neo4j_settings: Settings
) -> None:
    scopes, overlay = _read(neo4j_settings, ["vav-101", "vav-202.zat", "ahu-1", "bldg-a.l1.r101"])
    assert scopes == ["bldg-a"] * 4
    assert {"vav-101", "vav-201", "vav-202", "vav-101.zat", "ahu-1", "ahu-1.sat"} <= set(
        overlay.nodes
    )
    assert "campus" not in overlay.nodes  # above the building, not part of its run
    zones = zone_points({k: _info(v) for k, v in overlay.nodes.items()}, overlay.edges)
    assert sorted(zones) == ROOMS
    assert {zones[r].air_temperature for r in ROOMS} == {
        "vav-101.zat",
        "vav-201.zat",
        "vav-202.zat",
    }
    assert ("ahu-1", "FEEDS", "vav-101") in overlay.supply
    tripped = impact(SupplyNetwork.from_edges(overlay.supply_edges()), trip=["ahu-1"])
    assert set(ROOMS) <= set(tripped.lost)


SCENARIO = {
    "graphtwin-scenario": 1,
    "name": "AHU-1 trips",
    "horizon": "1h",
    "step": "5m",
    "outdoor": {"source": "constant", "value": 32.0},
    "interventions": [{"type": "trip", "target": "ahu-1"}],
    "actions": [
        {
            "name": "halve the gains",
            "interventions": [{"type": "occupancy", "target": "bldg-a.l2.r201", "factor": 0.5}],
        }
    ],
}


def _simulate(settings: Settings, history: HistoryStore) -> SimulationResult:
    """SCENARIO run on the campus, its zones on geometry priors (none calibrated)."""
    return _run(settings, history, SCENARIO, calibrate=False)[1]


def _one_old_value(
    folder: Path, twin_id: str, value: float, age: timedelta = timedelta(minutes=20, seconds=17)
) -> HistoryStore:
    """A history holding one value of `twin_id`, `age` ago (on no step of the run's grid)."""
    history = HistoryStore(folder, retention_days=None)
    at = datetime.now(UTC) - age
    history.append([twin_id], [int(at.timestamp() * 1e9)], [value], ["good"], ["test"])
    history.flush()
    return history


def test_an_ahu_trip_on_the_campus_is_simulated_for_the_rooms_its_boxes_serve(
    campus: TwinStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    result = _simulate(neo4j_settings, HistoryStore(tmp_path / "history", retention_days=None))
    inaction = result.outcome("inaction")
    assert set(ROOMS) <= set(inaction.impact.lost)
    simulated = {t.node for t in inaction.trajectories if t.property == "air_temperature"}
    assert sorted(simulated) == ROOMS


def test_a_zone_with_one_old_value_in_its_history_starts_from_its_newer_current_value(
    campus: TwinStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    history = _one_old_value(tmp_path / "history", "vav-202.zat", 29.0)
    result = _simulate(neo4j_settings, history)
    [first] = [
        t.values[0]
        for t in result.outcome("inaction").trajectories
        if t.node == "bldg-a.l2.r202" and t.property == "air_temperature"
    ]
    assert abs(first - VALUES["vav-202.zat"]) < 2.0  # from 24.5 a minute ago, not 29 long before


def test_a_zone_whose_last_value_is_minutes_old_starts_from_it(
    store: TwinStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    _load(store, {k: v for k, v in VALUES.items() if k != "vav-202.zat"})
    history = _one_old_value(tmp_path / "history", "vav-202.zat", 27.0)
    [first] = [
        t.values[0]
        for t in _simulate(neo4j_settings, history).outcome("inaction").trajectories
        if t.node == "bldg-a.l2.r202" and t.property == "air_temperature"
    ]
    assert abs(first - 27.0) < 2.0


def test_a_zone_with_nothing_to_start_from_is_refused_naming_it(
    store: TwinStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    _load(store, {k: v for k, v in VALUES.items() if k != "vav-202.zat"})
    # two hours old: too old to be the zone's temperature now (a gap over an hour)
    history = _one_old_value(
        tmp_path / "history", "vav-202.zat", 29.0, timedelta(hours=2, seconds=17)
    )
    with pytest.raises(SimulationInputError) as refused:
        _simulate(neo4j_settings, history)
    assert (refused.value.entity, refused.value.field) == ("bldg-a.l2.r202", "scope")
    assert "no air temperature in the recent history" in str(refused.value)


def _info(node: ScopeNode) -> NodeInfo:
    return NodeInfo(
        node.kind or "", node.brick_class, node.name or node.twin_id, dict(node.properties)
    )
