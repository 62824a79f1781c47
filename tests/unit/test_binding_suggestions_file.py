"""The bindings file `graphtwin bind --suggest` writes for review, its JSON, and the command's
refusals of bad input before it touches the graph or the network (pure: no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphtwin.cli.main import app
from graphtwin.errors import SchemaViolationError
from graphtwin.telemetry.bindings import BindingsFile, ModbusSource, OpcUaSource, read_bindings
from graphtwin.telemetry.discovery import DiscoveredAddress
from graphtwin.telemetry.suggest.discover import discover, reference_speller
from graphtwin.telemetry.suggest.existing import unbound
from graphtwin.telemetry.suggest.match import PointInfo, suggest_bindings
from graphtwin.telemetry.suggest.points import point_info
from graphtwin.telemetry.suggest.write import bindings_document, suggestions_json

SOURCE = OpcUaSource(id="plant", type="opcua", endpoint="opc.tcp://127.0.0.1:4840/sim/")


def address(path: str, units: str | None = None) -> DiscoveredAddress:
    *folders, name = path.split("/")
    return DiscoveredAddress(
        {"node_id": f"ns=2;s={path}"},
        name=name,
        units=units,
        reference=f"ns=2;s={path}",
        path=tuple(folders),
    )


ADDRESSES = [address("AHU2/SAT", "°C"), address("AHU2/RAT"), address("Boiler/Status")]
POINTS = [
    PointInfo("urn:r:sat", "AHU-2 supply air temperature", "ahu2/sat"),
    PointInfo("urn:r:rat", "AHU-2 return air temperature"),
    PointInfo("urn:r:co2", "Zone CO2"),
]


def test_the_suggested_file_loads_as_bindings_with_the_unmatched_listed_at_the_end(
    tmp_path: Path,
):
    result = suggest_bindings(ADDRESSES, POINTS, "plant")
    path = tmp_path / "suggested.yaml"
    path.write_text(bindings_document(result, SOURCE, 0.5), encoding="utf-8")

    spec = read_bindings(path)
    assert spec.sources == [SOURCE]
    assert {(b.node_id, b.point.twin_id) for b in spec.bindings} == {
        ("ns=2;s=AHU2/SAT", "urn:r:sat"),
        ("ns=2;s=AHU2/RAT", "urn:r:rat"),
    }
    lines = path.read_text(encoding="utf-8").splitlines()
    binding_lines = [line for line in lines if line.startswith("- {source:")]
    assert all("# confidence " in line for line in binding_lines)
    tail = lines[lines.index("# Points with no suggestion (1):") :]
    assert tail[1] == "#   urn:r:co2  Zone CO2"
    assert tail[2] == "# Addresses with no suggestion (1):"
    assert tail[3] == "#   ns=2;s=Boiler/Status  Status"


def test_nothing_matched_is_still_a_valid_file_listing_everything(tmp_path: Path):
    result = suggest_bindings(ADDRESSES[2:], POINTS[2:], "plant")
    path = tmp_path / "none.yaml"
    path.write_text(bindings_document(result, SOURCE, 0.5), encoding="utf-8")
    assert read_bindings(path).bindings == []
    assert "#   urn:r:co2  Zone CO2" in path.read_text(encoding="utf-8")


def test_names_from_a_server_cannot_break_out_of_their_scalar_or_comment(tmp_path: Path):
    hostile = "x\nbindings: []\u2028evil: 1\x85#"
    weird = DiscoveredAddress(
        {"node_id": f"ns=2;s=AHU2/SAT{hostile}"}, name=f"SAT{hostile}", path=("AHU2",)
    )
    result = suggest_bindings(
        [weird, address("AHU9/Odd")],
        [PointInfo("urn:r:sat", "AHU-2 SAT"), PointInfo(f"urn:r:{hostile}", f"Odd{hostile}")],
        "plant",
    )
    assert len(result.matched) == 1
    path = tmp_path / "hostile.yaml"
    text = bindings_document(result, SOURCE, 0.5)
    path.write_text(text, encoding="utf-8")
    (binding,) = read_bindings(path).bindings
    assert binding.node_id == f"ns=2;s=AHU2/SAT{hostile}"
    assert not any(line.startswith(("bindings: []", "evil")) for line in text.splitlines())


def test_the_json_names_each_binding_its_confidence_and_what_stayed_unmatched():
    document = suggestions_json(suggest_bindings(ADDRESSES, POINTS, "plant"))
    json.dumps(document)  # serialisable as it is
    first = document["suggestions"][0]
    assert first["binding"] == {
        "source": "plant",
        "node_id": "ns=2;s=AHU2/SAT",
        "point": {"twin_id": "urn:r:sat"},
    }
    assert first["address"]["units"] == "°C"
    assert 0 < first["confidence"] <= 1
    assert document["unmatched_points"] == [{"twin_id": "urn:r:co2", "name": "Zone CO2"}]
    assert [a["name"] for a in document["unmatched_addresses"]] == ["Status"]


def test_a_source_that_describes_nothing_about_itself_cannot_be_discovered():
    import asyncio

    meters = ModbusSource(id="meters", type="modbus", host="127.0.0.1")
    with pytest.raises(SchemaViolationError, match="a modbus source cannot be discovered"):
        asyncio.run(discover(meters, timeout_s=1, listen_s=1))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "graphtwin-bindings: 1\nsources:\n"
        '  - {id: plant, type: opcua, endpoint: "opc.tcp://127.0.0.1:1/"}\n'
        "  - {id: meters, type: modbus, host: 127.0.0.1}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--source", "nope"], "source nope: no source with this id (the file declares plant"),
        (["--source", "meters"], "a modbus source cannot be discovered"),
        (["--source", "plant", "--no-such"], "No such option"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    config: Path, tmp_path: Path, extra: list[str], message: str
):
    out = tmp_path / "out.yaml"
    done = CliRunner().invoke(
        app, ["bind", "--suggest", "--config", str(config), "--out", str(out), *extra]
    )
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert not out.exists()


def test_an_existing_out_file_is_kept_without_force(config: Path, tmp_path: Path):
    out = tmp_path / "out.yaml"
    out.write_text("mine\n", encoding="utf-8")
    args = ["bind", "--suggest", "--config", str(config), "--source", "plant", "--out", str(out)]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2
    assert "--out: exists; --force overwrites it" in done.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    without_suggest = CliRunner().invoke(app, [a for a in args if a != "--suggest"] + ["--force"])
    assert without_suggest.exit_code == 2
    assert "only `graphtwin bind --suggest` exists" in without_suggest.output


def test_a_points_bacnet_properties_spell_the_reference_its_device_reports():
    row = {
        "twin_id": "urn:r:sat",
        "name": "Discharge",
        "unit": ["DEG_C"],
        "timeseries_id": None,
        "brick_class": None,
        "bacnet": [["bacnet_object_identifier", "analogInput,7"], ["bacnet_device_instance", 1001]],
    }
    point = point_info(row, reference_speller("bacnet", "bms"))
    assert point.references == {"bacnet:1001:analog-input,7"}
    assert point.unit == "DEG_C"
    device = [
        DiscoveredAddress(
            {"object_type": "analog-input", "instance": n, "device": 1001},
            name=f"AI-{n}",
            reference=f"bacnet:1001:analog-input,{n}",
        )
        for n in (6, 7)
    ]
    (match,) = suggest_bindings(device, [point], "bms").matched
    assert (match.address.name, match.score) == ("AI-7", 1.0)
    assert reference_speller("opcua", "plant") is None  # a NodeId is the timeseries id itself


def test_what_the_config_binds_already_is_not_suggested_again():
    spec = BindingsFile.model_validate(
        {
            "graphtwin-bindings": 1,
            "sources": [SOURCE.model_dump(), {"id": "push", "type": "http"}],
            "bindings": [
                {"source": "plant", "node_id": "ns=2;s=AHU2/RAT", "point": {"twin_id": "x"}},
                {"source": "push", "point": {"ref": "ahu2/sat"}},
            ],
        }
    )
    addresses, points = unbound(spec, "plant", ADDRESSES, POINTS)
    assert [a.name for a in addresses] == ["SAT", "Status"]  # RAT is bound
    assert [p.twin_id for p in points] == ["urn:r:rat", "urn:r:co2"]  # sat is, by its ref
