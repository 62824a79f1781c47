"""Browsing a real (simulated) OPC UA server and suggesting bindings for the twin's points,
through the matcher and through `graphtwin bind --suggest` on the real graph."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from graphtwin.errors import DiscoveryError
from graphtwin.neo4j_local.instance import free_port
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import Binding, OpcUaSource, read_bindings
from graphtwin.telemetry.connectors.opcua_discovery import discover_addresses
from graphtwin.telemetry.simulators import OpcUaSimulator, Signal
from graphtwin.telemetry.suggest.match import PointInfo, suggest_bindings
from graphtwin.telemetry.suggest.write import binding_line
from importers import IMPORTERS
from tests.conftest import CliRunner

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


def test_browsing_finds_every_variable_with_its_units_and_the_matcher_names_the_right_points():
    async def scenario() -> None:
        signals = [Signal(n, 1.0, unit="°C" if n.endswith("SAT") else None) for n in NAMES]
        async with OpcUaSimulator(signals, port=free_port()) as sim:
            source = OpcUaSource(id="plant", type="opcua", endpoint=sim.endpoint)
            addresses = await discover_addresses(source, timeout_s=2)
            few = await discover_addresses(source, max_nodes=3)  # bldg-b and two children
        assert len(few) == 2
        with pytest.raises(DiscoveryError, match=r"source plant: opc\.tcp://.* did not answer"):
            await discover_addresses(source, timeout_s=1)  # the server is gone
        assert {a.reference for a in addresses} == {sim.node_id(n) for n in NAMES}
        assert {a.binding_fields["node_id"] for a in addresses} == {sim.node_id(n) for n in NAMES}
        by_id = {a.reference: a for a in addresses}
        sat = by_id[sim.node_id("bldg-b/AHU2.SAT")]
        assert (sat.name, sat.path, sat.units) == ("AHU2.SAT", ("bldg-b",), "°C")
        zone = by_id[sim.node_id("bldg-b/VAV201/ZoneTemp")]
        assert (zone.path, zone.units) == (("bldg-b", "VAV201"), None)

        result = suggest_bindings(addresses, POINTS, source.id)
        chosen = {s.twin_id: s.address.reference for s in result.matched}
        assert chosen == {
            "urn:riverside:bldg-b/ahu-2-sat": "ns=2;s=bldg-b/AHU2.SAT",
            "urn:riverside:ahu-2-rat": "ns=2;s=bldg-b/AHU2.RAT",
            "urn:riverside:vav-201-zat": "ns=2;s=bldg-b/VAV201/ZoneTemp",
            "urn:riverside:vav-201-zat-sp": "ns=2;s=bldg-b/VAV201/ZoneTempSp",
            "urn:riverside:vav-202-zat": "ns=2;s=bldg-b/VAV202/ZNT",
        }  # AHU1.SAT is no return air temperature: AHU-1's point stays unbound
        assert [p.twin_id for p in result.unmatched_points] == ["urn:riverside:ahu-1-rat"]
        assert [a.name for a in result.unmatched_addresses] == ["AHU1.SAT"]
        assert result.matched[0].score == 0.95  # the timeseries id spells the address
        assert all(0.5 <= s.score < 0.9 for s in result.matched[1:])

        entries = [yaml.safe_load(binding_line(s))[0] for s in result.matched]
        bindings = [Binding.model_validate(e) for e in entries]
        assert {(b.node_id, b.point.twin_id) for b in bindings} == {
            (node_id, twin_id) for twin_id, node_id in chosen.items()
        }

    asyncio.run(scenario())


TWIN = """\
graphtwin: 1
source: riverside
nodes:
  - id: site
    kind: Site
    contains:
      - {id: bldg-a, kind: Building, contains: [{id: room-a1, kind: Space}]}
      - {id: bldg-b, kind: Building, contains: [{id: room-b1, kind: Space}]}
  - {id: ahu-1, kind: Equipment, links: {LOCATED_IN: [room-a1], HAS_POINT: [ahu-1.sat]}}
  - id: ahu-2
    kind: Equipment
    links: {LOCATED_IN: [room-b1], HAS_POINT: [ahu-2.sat, ahu-2.rat, ahu-2.flow, ahu-2.fan]}
  - {id: ahu-1.sat, kind: Point, name: AHU-1 Supply Air Temperature,
     brick_class: Supply_Air_Temperature_Sensor}
  - {id: ahu-2.sat, kind: Point, name: Discharge, properties: {timeseries_id: "ns=2;s=b/AHU2.SAT"}}
  - {id: ahu-2.rat, kind: Point, name: AHU-2 Return Air Temp,
     brick_class: Return_Air_Temperature_Sensor, properties: {unit: DEG_C}}
  - {id: ahu-2.flow, kind: Point, name: AHU-2 Return Air Flow, brick_class: Return_Air_Flow_Sensor}
  - {id: ahu-2.fan, kind: Point, name: AHU-2 Supply Fan Status}
"""


def test_bind_suggest_writes_a_reviewable_bindings_file_for_one_subtree_that_loads(
    cli: CliRunner, store: TwinStore, tmp_path: Path
):
    twin = tmp_path / "twin.yaml"
    twin.write_text(TWIN, encoding="utf-8")
    store.load([IMPORTERS["twin"].parse(twin)])
    out = tmp_path / "suggested.yaml"
    signals = [
        Signal("b/AHU2.SAT", 14.0),
        Signal("b/AHU2/RA", 21.0, unit="degC"),  # the return air temperature, by its units
        Signal("b/AHU2/RA-2", 2.0, unit="m3/s"),  # and the return air flow
        Signal("b/AHU1.SAT", 13.0, unit="degC"),  # bound already (and AHU-1 is not in bldg-b)
    ]

    async def scenario() -> None:
        async with OpcUaSimulator(signals, port=free_port()) as sim:
            config = tmp_path / "sources.yaml"
            config.write_text(
                textwrap.dedent(f"""\
                    graphtwin-bindings: 1
                    sources:
                      - {{id: plant, type: opcua, endpoint: "{sim.endpoint}"}}
                    bindings:  # bound already: not suggested again
                      - {{source: plant, node_id: "ns=2;s=b/AHU1.SAT",
                         point: {{twin_id: ahu-1.sat}}}}
                """),
                encoding="utf-8",
            )
            args = ["bind", "--suggest", "--config", config, "--source", "plant"]
            args += ["--within", "bldg-b", "--timeout-s", "3", "--out", out, "--json"]
            done = await asyncio.to_thread(cli, *args)
            assert done.returncode == 0, done.stderr
            document = json.loads(done.stdout)
        chosen = {s["twin_id"]: s["binding"]["node_id"] for s in document["suggestions"]}
        assert chosen == {
            "ahu-2.sat": "ns=2;s=b/AHU2.SAT",
            "ahu-2.rat": "ns=2;s=b/AHU2/RA",
            "ahu-2.flow": "ns=2;s=b/AHU2/RA-2",
        }
        assert document["unmatched_points"] == [
            {"twin_id": "ahu-2.fan", "name": "AHU-2 Supply Fan Status"}
        ]
        assert document["unmatched_addresses"] == []  # AHU1.SAT is bound in the config

        spec = read_bindings(out)
        assert {(b.node_id, b.point.twin_id) for b in spec.bindings} == {
            (node_id, twin_id) for twin_id, node_id in chosen.items()
        }
        text = out.read_text(encoding="utf-8")
        assert "#   ahu-2.fan  AHU-2 Supply Fan Status" in text
        assert "ahu-1.sat" not in text  # outside --within

    asyncio.run(scenario())
