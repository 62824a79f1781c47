"""Browsing a real (simulated) OPC UA server and suggesting bindings for the twin's points."""

from __future__ import annotations

import asyncio

import yaml

from graphtwin.neo4j_local.instance import free_port
from graphtwin.telemetry.bindings import Binding, OpcUaSource
from graphtwin.telemetry.simulators import OpcUaSimulator, Signal
from graphtwin.telemetry.suggest import (
    PointInfo,
    browse_variables,
    suggest_bindings,
    suggestions_yaml,
)

NAMES = [
    "bldg-b/AHU2.SAT",
    "bldg-b/AHU2.RAT",
    "bldg-b/AHU1.SAT",
    "bldg-b/VAV201/ZoneTemp",
    "bldg-b/VAV201/ZoneTempSp",
    "bldg-b/VAV202/ZNT",
]

POINTS = [
    PointInfo(
        "urn:riverside:bldg-b/ahu-2-sat",
        "AHU-2 Supply Air Temperature",
        "bldg-b/ahu-2/sat",
        "Supply_Air_Temperature_Sensor",
    ),
    PointInfo(
        "urn:riverside:ahu-2-rat", "AHU-2 Return Air Temp", None, "Return_Air_Temperature_Sensor"
    ),
    PointInfo(
        "urn:riverside:ahu-1-rat", "AHU-1 Return Air Temp", None, "Return_Air_Temperature_Sensor"
    ),
    PointInfo(
        "urn:riverside:vav-201-zat", "VAV-201 Zone Air Temp", None, "Zone_Air_Temperature_Sensor"
    ),
    PointInfo(
        "urn:riverside:vav-201-zat-sp",
        "VAV-201 Zone Air Temperature Setpoint",
        None,
        "Zone_Air_Temperature_Setpoint",
    ),
    PointInfo("urn:riverside:vav-202-zat", "VAV 202 zone temperature", None, None),
]


def test_browsing_finds_every_simulated_variable_and_skips_the_server_object():
    async def scenario() -> None:
        async with OpcUaSimulator([Signal(n, 1.0) for n in NAMES], port=free_port()) as sim:
            source = OpcUaSource(id="plant", type="opcua", endpoint=sim.endpoint)
            variables = await browse_variables(source)
            assert {v.node_id for v in variables} == {sim.node_id(n) for n in NAMES}
            by_id = {v.node_id: v for v in variables}
            sat = by_id[sim.node_id("bldg-b/AHU2.SAT")]
            assert sat.browse_path == sim.browse_path("bldg-b/AHU2.SAT") == "2:bldg-b/2:AHU2.SAT"
            assert sat.display_name == "AHU2.SAT"
            assert by_id[sim.node_id("bldg-b/VAV201/ZoneTemp")].browse_path == (
                "2:bldg-b/2:VAV201/2:ZoneTemp"
            )

            few = await browse_variables(source, max_nodes=3)  # bldg-b and two of its children
            assert len(few) == 2

    asyncio.run(scenario())


def test_suggested_bindings_for_a_simulated_server_name_the_right_points():
    async def scenario() -> None:
        async with OpcUaSimulator([Signal(n, 1.0) for n in NAMES], port=free_port()) as sim:
            source = OpcUaSource(id="plant", type="opcua", endpoint=sim.endpoint)
            variables = await browse_variables(source)
        suggestions = suggest_bindings(variables, POINTS, source.id)
        chosen = {s.twin_id: s.variable.node_id for s in suggestions}
        assert chosen == {
            "urn:riverside:bldg-b/ahu-2-sat": "ns=2;s=bldg-b/AHU2.SAT",
            "urn:riverside:ahu-2-rat": "ns=2;s=bldg-b/AHU2.RAT",
            "urn:riverside:vav-201-zat": "ns=2;s=bldg-b/VAV201/ZoneTemp",
            "urn:riverside:vav-201-zat-sp": "ns=2;s=bldg-b/VAV201/ZoneTempSp",
            "urn:riverside:vav-202-zat": "ns=2;s=bldg-b/VAV202/ZNT",
        }  # AHU1.SAT is no return air temperature: AHU-1's point stays unbound
        assert suggestions[0].score == 1.0  # the timeseries id spells the address
        assert all(0.5 <= s.score < 0.9 for s in suggestions[1:])

        entries = yaml.safe_load(suggestions_yaml(suggestions))
        bindings = [Binding.model_validate(e) for e in entries]
        assert {(b.node_id, b.point.twin_id) for b in bindings} == {
            (node_id, twin_id) for twin_id, node_id in chosen.items()
        }

    asyncio.run(scenario())
