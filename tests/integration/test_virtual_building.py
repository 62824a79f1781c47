"""Virtual buildings end to end: EnergyPlus runs a reference building, serves it over OPC UA into
the real Neo4j through `graphtwin sync`, records it in the history store's format, stops
cleanly on Ctrl-C, and fails with typed errors when its input or EnergyPlus fails."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asyncua import Client
from typer.testing import CliRunner

from graphtwin.cli.main import app
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.sync import TwinSync
from graphtwin.virtual.errors import UnknownVariableError, VirtualBuildingCrashedError
from graphtwin.virtual.models import resolve_model
from graphtwin.virtual.runs import PreparedRun, RunRequest, prepare_run, record_run
from importers.energyplus.observed import ObservedPoint
from tests.conftest import GRAPHTWIN

TWO_DAYS_S = 2 * 86_400
SPEED = 11_520.0  # two simulated days in 15 wall seconds: 78 ms a timestep
ZONE_TEMPERATURE = "Zone_Air_Temperature_Sensor"
OUTDOOR_TEMPERATURE = "Outside_Air_Temperature_Sensor"


@pytest.fixture(scope="module")
def energyplus() -> None:
    pytest.importorskip("pyenergyplus")


@contextlib.contextmanager
def virtual_building(
    *args: str | Path, ctrl_c_ignored: bool = False
) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """`graphtwin virtual-building run ... --json` in a subprocess, once it serves; killed if the
    test leaves it running. `ctrl_c_ignored`: started with SIGINT ignored, as a non-interactive
    shell starts its background jobs."""
    process = subprocess.Popen(
        [str(GRAPHTWIN), "virtual-building", "run", *map(str, args), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_ctrl_c if ctrl_c_ignored else None,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise AssertionError(f"the virtual building did not start: {process.communicate()}")
        yield process, json.loads(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def port_is_free(port: int) -> bool:
    """Nothing listens on `port` any more. SO_REUSEADDR, as any server restarting sets it: a
    connection the server closed first lingers in TIME_WAIT, which binds through it; a socket
    still listening does not."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def graph_nodes(store: TwinStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row["n"] for row in store.read("api/nodes_by_id", ids=ids)}


# --- served over OPC UA into the graph ------------------------------------------------------------


@pytest.mark.neo4j
def test_a_two_day_medium_office_run_is_synced_over_opcua_into_the_graph_and_the_history(
    energyplus: None, store: TwinStore, tmp_path: Path
):
    from importers.energyplus import EnergyPlusImporter

    store.load([EnergyPlusImporter().parse(resolve_model("office_medium").path)])
    bindings = tmp_path / "bindings.yaml"
    started = datetime.now(UTC)
    with virtual_building(
        "--model", "office_medium", "--weather", "denver", "--start", "07-01", "--days", "2",
        "--speed", SPEED, "--bindings-out", bindings,
    ) as (process, serving):  # fmt: skip
        assert serving["bindings"] == str(bindings)
        spec = read_bindings(bindings)
        sync = TwinSync(spec, store, file=str(bindings))  # every bound point is in the graph

        async def follow() -> None:
            running = asyncio.create_task(sync.run())
            await asyncio.to_thread(process.wait, 120)
            running.cancel()  # its clean-up flushes what is pending to the graph and history
            await asyncio.gather(running, return_exceptions=True)

        asyncio.run(follow())
        output, errors = process.communicate()
    ended = datetime.now(UTC)
    assert process.returncode == 0, errors
    finished = json.loads(output.splitlines()[-1])
    assert finished["event"] == "finished" and not finished["stopped"]
    assert finished["timesteps"] == 2 * 24 * 4  # 15-minute timesteps

    ids = [binding.point.twin_id for binding in spec.bindings]
    nodes = graph_nodes(store, ids)
    zones = [i for i in ids if nodes[i]["brick_class"] == ZONE_TEMPERATURE]
    (outdoor,) = [i for i in ids if nodes[i]["brick_class"] == OUTDOOR_TEMPERATURE]
    assert len(zones) == 15  # the medium office's conditioned zones
    for twin_id in zones:
        current = nodes[twin_id]["current"]
        assert current["source"] == "virtual-office_medium"
        assert 10.0 < current["value"] < 40.0, (twin_id, current)

    history = sync.history.query([*zones, outdoor])
    assert set(history["twin_id"]) == {*zones, outdoor}
    assert history["time"].min() >= started and history["time"].max() <= ended
    oat = history[history["twin_id"] == outdoor]
    # simulated time mapped to the wall clock at the speed: the run spans 2 days / SPEED
    span_s = (oat["time"].max() - oat["time"].min()).total_seconds()
    assert span_s >= 0.8 * TWO_DAYS_S / SPEED
    # the sync kept up: most timesteps reached the history (85% here; a busy machine loses some)
    assert len(oat) >= 2 / 3 * finished["timesteps"]
    assert oat["value"].between(0.0, 45.0).all()  # Denver in July, in C
    rejected = sync.pipeline.stats.rejected
    assert set(rejected) <= {"wrong_type"}, rejected  # only the empty values before the first


# --- recorded to Parquet --------------------------------------------------------------------------


def test_record_writes_the_run_as_history_parquet_with_run_and_labels_files(
    energyplus: None, tmp_path: Path
):
    stuck = "zone/Core_ZN/air-temperature"
    faults = tmp_path / "faults.yaml"
    faults.write_text(
        "graphtwin-faults: 1\nfaults:\n"
        f"  - {{id: core-stuck, type: stuck, target: {stuck}, start: '07-01 10:00', "
        "duration: 4h}\n"
    )
    out = tmp_path / "run"
    done = CliRunner().invoke(
        app,
        ["virtual-building", "record", "--model", "office_small", "--weather", "denver",
         "--start", "07-01", "--days", "1", "--faults", str(faults), "--out", str(out), "--json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    finished = json.loads(done.stdout.splitlines()[-1])
    assert finished["timesteps"] == 96

    run = json.loads((out / "run.json").read_text())
    assert (run["model"], run["weather"], run["days"], run["outcome"]) == (
        "office_small", "usa_co_denver", 1, "completed",
    )  # fmt: skip
    assert run["timesteps"] == 96 and run["timesteps_per_s"] > 0
    assert run["energyplus_version"].startswith("25.")
    assert run["time_zone_h"] == -7.0 and run["timestep_s"] == 900.0
    (label,) = json.loads((out / "labels.json").read_text())
    point = f"eplus:ASHRAE901_OfficeSmall_STD2019_Denver/{stuck}"
    assert label["id"] == "core-stuck" and label["type"] == "stuck"
    assert point in json.dumps(label)

    store = HistoryStore(out)
    rows = store.query(point)
    assert len(rows) == 96 and set(rows["source"]) == {"virtual:office_small"}
    # simulated time in UTC: Denver is 7 hours behind, timesteps stamped with their end
    assert rows["time"].iloc[0] == datetime(2025, 7, 1, 7, 15, tzinfo=UTC)
    assert rows["time"].iloc[-1] == datetime(2025, 7, 2, 7, 0, tzinfo=UTC)
    fault_start = datetime(2025, 7, 1, 17, 0, tzinfo=UTC)  # 10:00 local
    window = rows[(rows["time"] > fault_start) & (rows["time"] <= fault_start + timedelta(hours=4))]
    assert len(window) == 16 and window["value"].nunique() == 1  # the stuck sensor
    assert rows["value"].nunique() > 10  # the rest of the day it moves
    assert (out / "energyplus" / "eplusout.err").is_file()


# --- Ctrl-C ---------------------------------------------------------------------------------------


SMALL_OFFICE_DAY = (
    "--model", "office_small", "--weather", "denver", "--days", "1", "--speed", "600",
)  # fmt: skip


def ctrl_c(
    process: subprocess.Popen[str], *, times: int = 1, sig: int = signal.SIGINT
) -> tuple[dict[str, Any], str]:
    """Send `sig` (SIGINT) `times` times (10 ms apart); the run must end within 5 s, exit 0, say
    "stopped" and end with its final JSON line, returned with the standard error."""
    interrupted = time.monotonic()
    for sent in range(times):
        if sent:
            time.sleep(0.01)
        process.send_signal(sig)
    output, errors = process.communicate(timeout=15)
    took = time.monotonic() - interrupted
    assert process.returncode == 0, errors
    assert took < 5.0
    assert "stopped" in errors
    finished = json.loads(output.splitlines()[-1])
    assert finished["event"] == "finished" and finished["stopped"], finished
    return finished, errors


def test_ctrl_c_ends_energyplus_and_the_server_and_frees_the_port(energyplus: None):
    with virtual_building(*SMALL_OFFICE_DAY) as (process, serving):
        node = f"ns={serving['namespace_index']};s=eplus:ASHRAE901_OfficeSmall_STD2019_Denver/zone/Core_ZN/air-temperature"  # noqa: E501

        async def first_value() -> float:
            async with Client(serving["endpoint"], timeout=5) as client:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    (data,) = await client.read_attributes([client.get_node(node)])
                    if data.StatusCode.is_good():  # not waiting for its first value any more
                        return float(data.Value.Value)
                    await asyncio.sleep(0.2)
            raise AssertionError("EnergyPlus served nothing within a minute")

        assert 10.0 < asyncio.run(first_value()) < 40.0  # EnergyPlus is running
        finished, _ = ctrl_c(process)
    assert 1 <= finished["timesteps"] < 96
    assert port_is_free(serving["port"])


def test_ctrl_c_stops_it_while_energyplus_sizes_even_when_started_with_ctrl_c_ignored(
    energyplus: None,
):
    """A background job of a non-interactive shell (a CI or test run started with `&`) inherits
    SIGINT ignored; Python keeps that, and the run went on to its last simulated day. Here
    SIGINT comes as soon as the server listens, while EnergyPlus sizes and warms up."""
    with virtual_building(*SMALL_OFFICE_DAY, ctrl_c_ignored=True) as (process, serving):
        ctrl_c(process)
    assert port_is_free(serving["port"])


def test_sigterm_stops_it_as_cleanly_as_ctrl_c_with_its_final_line(energyplus: None):
    """A service manager or `kill` sends SIGTERM: the run used to die without its last line."""
    with virtual_building(*SMALL_OFFICE_DAY) as (process, serving):
        finished, _ = ctrl_c(process, sig=signal.SIGTERM)
    assert finished["energyplus_version"]
    assert port_is_free(serving["port"])


def test_a_second_ctrl_c_while_energyplus_stops_still_waits_for_it_before_the_final_line(
    energyplus: None,
):
    """The second SIGINT interrupts asyncio.run, which cancels the run again: it used to stop
    waiting for EnergyPlus, delete its folder under it ("File does not exist") and report a run
    that had not ended (`stopped` false, no EnergyPlus version)."""
    with virtual_building(*SMALL_OFFICE_DAY) as (process, serving):
        finished, errors = ctrl_c(process, times=2)
    assert finished["energyplus_version"] and finished["wall_s"] > 0
    assert "does not exist" not in errors
    assert port_is_free(serving["port"])


# --- bad input and failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "listed"),
    [("--model", "office_huge", "office_medium"), ("--weather", "atlantis", "usa_il_chicago")],
)
def test_an_unknown_model_or_weather_exits_2_naming_the_valid_ones_and_writes_nothing(
    energyplus: None, tmp_path: Path, option: str, value: str, listed: str
):
    names = {"--model": "office_small", "--weather": "denver", option: value}
    bindings = tmp_path / "bindings.yaml"
    arguments = [f"{k}={v}" for k, v in names.items()]
    result = CliRunner().invoke(
        app, ["virtual-building", "run", *arguments, "--bindings-out", str(bindings), "--json"]
    )
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout.splitlines()[-1])
    assert error["entity"] == option and listed in error["message"]
    assert not bindings.exists()


def test_speed_and_as_fast_as_possible_together_exit_2():
    result = CliRunner().invoke(
        app,
        ["virtual-building", "run", "--model", "office_small", "--weather", "denver",
         "--speed", "60", "--as-fast-as-possible"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--as-fast-as-possible" in result.output


@pytest.fixture(scope="module")
def small_office(energyplus: None) -> PreparedRun:
    return prepare_run(RunRequest("office_small", "denver", start="07-01", days=1))


def test_a_point_energyplus_does_not_have_is_a_typed_error_before_anything_is_written(
    small_office: PreparedRun, tmp_path: Path
):
    bogus = ObservedPoint(
        "eplus:ASHRAE901_OfficeSmall_STD2019_Denver/zone/Core_ZN/sparkle", "sparkle",
        "eplus:ASHRAE901_OfficeSmall_STD2019_Denver/zone/Core_ZN", "Sensor", "",
        "Zone Air Sparkle Level", "Core_ZN",
    )  # fmt: skip
    prepared = dataclasses.replace(small_office, points=[*small_office.points, bogus])
    out = tmp_path / "run"
    with pytest.raises(UnknownVariableError) as caught:
        record_run(prepared, out)
    assert caught.value.exit_code == 2
    assert caught.value.entity == bogus.twin_id and "Zone Air Sparkle Level" in str(caught.value)
    assert not out.exists()


def test_an_energyplus_crash_mid_run_is_a_typed_error_quoting_its_severe_lines_and_keeps_what_was_recorded(  # noqa: E501
    small_office: PreparedRun, tmp_path: Path
):
    # An EMS program that divides by zero from 06:00 on: EnergyPlus stops with a fatal error.
    model = json.loads(json.dumps(small_office.epjson))
    model.setdefault("EnergyManagementSystem:ProgramCallingManager", {})["crash"] = {
        "energyplus_model_calling_point": "BeginTimestepBeforePredictor",
        "programs": [{"program_name": "crash_at_six"}],
    }
    model.setdefault("EnergyManagementSystem:Program", {})["crash_at_six"] = {
        "lines": [
            {"program_line": "IF (WarmupFlag == 0) && (Hour >= 6)"},
            {"program_line": "SET x = 1 / 0"},
            {"program_line": "ENDIF"},
        ]
    }
    path = tmp_path / "crashing_office.epJSON"
    path.write_text(json.dumps(model))
    prepared = prepare_run(RunRequest(str(path), "denver", start="07-01", days=1))
    out = tmp_path / "run"

    with pytest.raises(VirtualBuildingCrashedError) as caught:
        record_run(prepared, out)
    crash = caught.value
    assert crash.exit_code == 1
    assert any("EMS" in line for line in crash.severe_lines)
    assert "EMS" in crash.message and crash.timesteps == 24  # midnight to 06:00

    run = json.loads((out / "run.json").read_text())
    assert run["outcome"] == "crashed" and "EMS" in run["error"]
    rows = HistoryStore(out).query(prepared.points[0].twin_id)
    assert len(rows) == 24  # what was recorded before the crash stays
