"""The two ways a virtual building runs: served live over OPC UA, or recorded to Parquet.

`prepare_run` checks everything a run needs before anything is written or started: the model
and weather names, the days, the observed points (the importer's `observed_points`, so a model
imported and a model run agree on every twin id) and the faults file. Then

- `ServedRun` serves the run over OPC UA (`VirtualBuildingServer`), or as a BACnet/IP device
  (`VirtualBacnetServer`, `protocol="bacnet"`), or publishes it to an MQTT broker in
  Sparkplug B (`VirtualSparkplugPublisher`, `protocol="mqtt"`), while EnergyPlus runs in a
  worker thread,
  optionally writing a bindings file for `graphtwin sync`;
- `record_run` writes it into a folder in the history store's format (see `record`).

Both end EnergyPlus cleanly when interrupted: the engine is told to stop, its thread is joined,
the server is closed and its port released.

>>> prepared = prepare_run(RunRequest("office_small", "denver", days=1))  # doctest: +SKIP
>>> stats = record_run(prepared, Path("runs/small-july"))  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

import graphtwin
from graphtwin.errors import GraphTwinError
from graphtwin.virtual.bindings_file import (
    sampling_period,
    source_id,
    virtual_bacnet_bindings,
    virtual_bindings,
    virtual_mqtt_bindings,
    write_bindings,
)
from graphtwin.virtual.clock import Pace
from graphtwin.virtual.engine import EnergyPlusEngine, RunFiles, RunStats
from graphtwin.virtual.errors import FaultsUnavailableError
from graphtwin.virtual.hooks import FaultHooks, NoFaults
from graphtwin.virtual.models import (
    ModelChoice,
    RunWindow,
    WeatherChoice,
    resolve_model,
    resolve_weather,
    timesteps_per_hour,
    weather_time_zone,
    write_run_model,
)
from graphtwin.virtual.opcua_server import VirtualBuildingServer
from graphtwin.virtual.record import (
    HistoryRecorder,
    check_out_folder,
    source_of,
    write_run_files,
)
from importers.energyplus import observed_points
from importers.energyplus.ids import model_prefix
from importers.energyplus.observed import ObservedPoint
from importers.energyplus.runtime import convert_to_epjson

if TYPE_CHECKING:
    from graphtwin.virtual.bacnet_server import VirtualBacnetServer
    from graphtwin.virtual.sparkplug_publisher import VirtualSparkplugPublisher

log = logging.getLogger(__name__)

LINGER_S = 1.0
"""How long the server keeps serving the last timestep once EnergyPlus has finished, so that
subscribers sample it."""
_POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What the command line asks for (`--model --weather --start --days --year --faults`)."""

    model: str
    weather: str
    start: str = "07-01"
    days: int = 2
    year: int = 2025
    faults: Path | None = None


@dataclass(frozen=True)
class PreparedRun:
    """A run checked and ready: nothing of it has been written yet."""

    request: RunRequest
    model: ModelChoice
    weather: WeatherChoice
    window: RunWindow
    epjson: dict[str, Any]
    points: list[ObservedPoint]
    faults: FaultHooks
    time_zone_h: float
    start: datetime
    """The run's first moment (UTC)."""
    end: datetime
    """The run's last moment (UTC)."""

    @property
    def timestep_s(self) -> float:
        return 3600.0 / timesteps_per_hour(self.epjson)

    def files(self, folder: Path) -> RunFiles:
        """Write the run's model into `folder`; what EnergyPlus runs."""
        model = write_run_model(self.epjson, self.window, folder)
        return RunFiles(model, self.weather.path, folder, self.time_zone_h)

    def describe(self) -> dict[str, Any]:
        """The run as `run.json` and `--json` report it (without its outcome)."""
        return {
            "model": self.model.name,
            "model_file": str(self.model.path),
            "weather": self.weather.name,
            "weather_file": str(self.weather.path),
            "start": self.window.first_day.isoformat(),
            "days": self.window.days,
            "year": self.window.first_day.year,
            "time_zone_h": self.time_zone_h,
            "start_utc": self.start.isoformat(),
            "end_utc": self.end.isoformat(),
            "timestep_s": self.timestep_s,
            "points": len(self.points),
            "faults_file": str(self.request.faults) if self.request.faults else None,
        }


def prepare_run(request: RunRequest) -> PreparedRun:
    """Check the request (see the module doc); a mistake is an InputError, nothing written."""
    model = resolve_model(request.model)
    weather = resolve_weather(request.weather)
    window = RunWindow.parse(request.start, days=request.days, year=request.year)
    time_zone_h = weather_time_zone(weather.path)
    epjson = convert_to_epjson(model.path)
    points = observed_points(epjson, prefix=model_prefix(model.path))
    start, end = window.bounds(time_zone_h)
    faults: FaultHooks = NoFaults()
    if request.faults is not None:
        faults = _load_faults(
            request.faults,
            points=points,
            epjson=epjson,
            start=start,
            end=end,
            prefix=model_prefix(model.path),
            time_zone_h=time_zone_h,
        )
    return PreparedRun(
        request, model, weather, window, epjson, points, faults, time_zone_h, start, end
    )


def _load_faults(path: Path, **run: Any) -> FaultHooks:
    """The faults file, checked against the run (`load_faults` names file, line and entry)."""
    try:
        from graphtwin.virtual.faults import load_faults
    except ImportError as exc:  # the package, or its load_faults, is not installed
        if exc.name != "graphtwin.virtual.faults":
            raise
        raise FaultsUnavailableError() from exc
    hooks: FaultHooks = load_faults(path, **run)
    return hooks


# --- served over OPC UA -------------------------------------------------------------------------


class ServedRun:
    """A run served over OPC UA on 127.0.0.1 (see the module doc).

    `speed` is simulated seconds per wall second (None: as fast as possible). `folder` is where
    EnergyPlus works (a temporary folder when None). `bindings_out` receives a bindings file
    for `graphtwin sync` once the server listens (removed again if EnergyPlus refuses the run
    before serving a timestep).
    """

    def __init__(
        self,
        prepared: PreparedRun,
        *,
        port: int = 0,
        speed: float | None = None,
        bindings_out: Path | None = None,
        folder: Path | None = None,
        linger_s: float = LINGER_S,
        pace: Pace | None = None,
        protocol: Literal["opcua", "bacnet", "mqtt"] = "opcua",
        broker: str = "mqtt://127.0.0.1:1883",
    ) -> None:
        """`broker`: where `protocol="mqtt"` publishes (`port` is then unused)."""
        self.prepared = prepared
        self.pace = pace or Pace(speed)
        """How fast the run goes: `Pace(speed)`, or a `pace` given (one whose speed changes
        along the simulated time, as the demo's)."""
        self.protocol = protocol
        self.server: VirtualBuildingServer | VirtualBacnetServer | VirtualSparkplugPublisher
        if protocol == "mqtt":
            from graphtwin.virtual.sparkplug_publisher import VirtualSparkplugPublisher

            self.server = VirtualSparkplugPublisher(
                prepared.points, broker=broker, edge_node=source_id(prepared.model.name)
            )
        elif protocol == "bacnet":
            from graphtwin.virtual.bacnet_server import VirtualBacnetServer

            self.server = VirtualBacnetServer(prepared.points, port=port)
        else:
            self.server = VirtualBuildingServer(
                prepared.points, model=prepared.model.name, port=port
            )
        self.bindings_out = bindings_out
        self.folder = folder
        self.linger_s = linger_s
        self.engine: EnergyPlusEngine | None = None

    @property
    def stats(self) -> RunStats:
        return self.engine.stats if self.engine is not None else RunStats()

    async def run(self, ready: Callable[[dict[str, Any]], None] | None = None) -> RunStats:
        """Serve until EnergyPlus reaches the end of the run (or this task is cancelled, which
        stops EnergyPlus and waits for its thread). `ready` is called once the server listens,
        with the endpoint, the port and the bindings file."""
        with tempfile.TemporaryDirectory(prefix="graphtwin-virtual-") as scratch:
            folder = self.folder or Path(scratch)
            files = self.prepared.files(folder)
            loop = asyncio.get_running_loop()
            await self.server.start()
            try:
                serving = self._serving()  # writes the bindings file
                if ready is not None:
                    ready(serving)
                self.engine = EnergyPlusEngine(
                    files,
                    self.prepared.points,
                    self.server.sink(loop, self.pace.served_at),
                    faults=self.prepared.faults,
                    pace=self.pace,
                )
                try:
                    stats = await _run_engine(self.engine)
                except GraphTwinError:
                    if serving["bindings"] and not self.stats.timesteps:
                        Path(serving["bindings"]).unlink(missing_ok=True)  # nothing ran
                    raise
                await self.server.drain()
                await asyncio.sleep(self.linger_s)
                return stats
            finally:
                await self.server.stop()

    def _serving(self) -> dict[str, Any]:
        server, prepared = self.server, self.prepared
        written = None
        about = _protocol_fields(server)
        if self.bindings_out is not None:
            period = sampling_period(speed=self.pace.speed, timestep_s=prepared.timestep_s)
            if isinstance(server, VirtualBuildingServer):
                spec = virtual_bindings(
                    prepared.points,
                    model=prepared.model.name,
                    endpoint=server.endpoint,
                    namespace_index=server.namespace_index,
                    period_s=period,
                )
            elif _is_sparkplug(server):
                spec = virtual_mqtt_bindings(
                    prepared.points,
                    model=prepared.model.name,
                    broker=server.endpoint,
                    group_id=server.group_id,
                    metrics=[server.metric(p.twin_id) for p in prepared.points],
                    period_s=period,
                )
            else:
                spec = virtual_bacnet_bindings(
                    prepared.points,
                    model=prepared.model.name,
                    address=server.device.address,
                    device=server.device.instance,
                    period_s=period,
                    log_period_s=period,
                )
            header = (
                f"Generated by graphtwin {graphtwin.__version__} for the virtual building "
                f"{prepared.model.name} ({prepared.weather.name}) on {server.endpoint}.\n"
                "Run it with: graphtwin sync --config <this file>"
            )
            written = write_bindings(spec, self.bindings_out, header=header)
        return {
            "event": "serving",
            "endpoint": server.endpoint,
            "port": server.port,
            **about,
            "bindings": str(written) if written else None,
            "speed": self.pace.speed,
            **prepared.describe(),
        }


def _protocol_fields(
    server: VirtualBuildingServer | VirtualBacnetServer | VirtualSparkplugPublisher,
) -> dict[str, Any]:
    """What a client needs besides the endpoint: OPC UA's namespace, BACnet's device,
    Sparkplug's group, edge node and device."""
    if isinstance(server, VirtualBuildingServer):
        return {"namespace": server.namespace, "namespace_index": server.namespace_index}
    if _is_sparkplug(server):
        return {
            "protocol": "mqtt",
            "group_id": server.group_id,
            "edge_node": server.edge_node,
            "device": server.device_id,
        }
    return {
        "protocol": "bacnet",
        "device": server.device.instance,
        "address": server.device.address,
    }


def _is_sparkplug(server: object) -> TypeGuard[VirtualSparkplugPublisher]:
    """Whether the run publishes Sparkplug B (a publisher exists only once its module, which
    loads aiomqtt, is loaded)."""
    module = sys.modules.get("graphtwin.virtual.sparkplug_publisher")
    return module is not None and isinstance(server, module.VirtualSparkplugPublisher)


async def _run_engine(engine: EnergyPlusEngine) -> RunStats:
    """Start the engine's thread and wait for it without blocking the loop (the thread needs
    the loop to write its timesteps). Cancelled, it stops EnergyPlus and still waits for the
    thread before the cancellation goes on."""
    engine.start()
    try:
        while engine.running:
            await asyncio.sleep(_POLL_S)
    finally:
        engine.stop()  # nothing to stop when it has ended
        await _until_ended(engine)
    stats = engine.wait(0)
    assert stats is not None  # the thread has ended
    return stats


async def _until_ended(engine: EnergyPlusEngine) -> None:
    """Wait for the stopping engine's thread even if cancelled again meanwhile (a second Ctrl-C
    interrupts asyncio.run, which then cancels its tasks once more): the server and EnergyPlus's
    folder must outlive EnergyPlus. The last cancellation is raised once the thread has ended."""
    cancelled: asyncio.CancelledError | None = None
    while engine.running:
        try:
            await asyncio.sleep(_POLL_S)
        except asyncio.CancelledError as exc:
            cancelled = exc
    if cancelled is not None:
        raise cancelled


# --- recorded to Parquet ------------------------------------------------------------------------


def record_run(prepared: PreparedRun, out: Path) -> RunStats:
    """Run as fast as possible into `out` (see `record`). Once a timestep is recorded, `run.json`
    says how the run ended, also when EnergyPlus crashed or Ctrl-C stopped it (KeyboardInterrupt
    is raised again); a run that recorded nothing writes nothing."""
    check_out_folder(out)
    recorder = HistoryRecorder(out, source=source_of(prepared.model.name))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="graphtwin-virtual-") as scratch:
        folder = Path(scratch)
        engine = EnergyPlusEngine(
            prepared.files(folder), prepared.points, recorder, faults=prepared.faults
        )
        outcome, error = "crashed", None
        engine.start()
        try:
            stats = _wait_interruptibly(engine)
            outcome = "stopped" if stats.stopped else "completed"
            return stats
        except KeyboardInterrupt:
            outcome = "stopped"
            raise
        except Exception as exc:
            error = str(exc)
            raise
        finally:
            recorder.close()
            if engine.stats.timesteps:
                run = {
                    **prepared.describe(),
                    "source": recorder.source,
                    "rows": recorder.rows,
                    **engine.stats.as_dict(),
                    "outcome": outcome,
                    "error": error,
                    "record_wall_s": round(time.monotonic() - started, 3),
                    "recorded_at": datetime.now(UTC).isoformat(),
                    "graphtwin_version": graphtwin.__version__,
                    "pyenergyplus_version": _pyenergyplus_version(),
                }
                write_run_files(out, run, prepared.faults.labels(), energyplus=folder)


def _wait_interruptibly(engine: EnergyPlusEngine) -> RunStats:
    """Wait for the engine's thread; Ctrl-C stops EnergyPlus, joins the thread and goes on. A
    second Ctrl-C while EnergyPlus stops is the same request: the thread is still joined (the
    recorder and EnergyPlus's folder must outlive it), then the first KeyboardInterrupt goes on."""
    try:
        while (stats := engine.wait(0.2)) is None:
            pass
    except KeyboardInterrupt:
        engine.stop()
        while True:
            try:
                engine.wait()
                break
            except KeyboardInterrupt:
                continue  # already stopping; raised below once the thread has ended
        raise
    return stats


def _pyenergyplus_version() -> str | None:
    try:
        return importlib.metadata.version("pyenergyplus-lbnl")
    except importlib.metadata.PackageNotFoundError:
        return None
