"""Virtual building benchmark: EnergyPlus alone against the whole chain into the twin, in the
same run, for the ASHRAE small and medium office (`python -m benchmarks virtual`).

- **EnergyPlus alone**: the virtual building's engine (`EnergyPlusEngine`) runs the model as
  fast as possible with every observed variable requested and read each zone timestep, handed
  to a sink that does nothing. Timesteps per second over the served period: from the first
  timestep of the run period to the last (sizing and warm-up days excluded, as
  `RunStats.timesteps_per_s` counts them).
- **The chain**: the same run served by the virtual building's OPC UA server
  (`VirtualBuildingServer`, as `graphtwin virtual-building run --as-fast-as-possible` serves it)
  in this process, and the real `graphtwin sync` in its own process, subscribed through the
  generated bindings file, writing into Neo4j and its Parquet history. Untimed set-up: the model
  imported into the benchmark's throwaway Neo4j, sync started and subscribed (its DataSource
  node counts the first notification of every variable) before EnergyPlus starts. Timed from the
  first timestep handed to the server until the graph holds the last served value of every
  point; timesteps per second over that.

What must arrive: OPC UA notifies a subscriber when a value changes (DataChangeTrigger
StatusValue) and sync keeps a value when it changes (rule `on_change`, deadband 0), so every
*change* of a served value must reach the history, and the last value of every point the graph.
The benchmark counts the changes as they are served and compares them with the history's rows
and the graph's points; a chain that falls short dropped values.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.harness import info_table, load_average, markdown_table, note
from benchmarks.neo4j_server import BenchServer
from graphtwin.store import TwinStore
from graphtwin.virtual.bindings_file import (
    sampling_period,
    source_id,
    virtual_bindings,
    write_bindings,
)
from graphtwin.virtual.engine import EnergyPlusEngine, RunStats, SampleSink
from graphtwin.virtual.opcua_server import VirtualBuildingServer
from graphtwin.virtual.runs import PreparedRun, RunRequest, prepare_run

TARGET_RATIO = 0.9
_POLL_S = 0.05
_GATE_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class VirtualOptions:
    models: tuple[str, ...] = ("office_small", "office_medium")
    weather: str = "denver"
    start: str = "07-01"
    days: int = 7
    alone_repeat: int = 5
    chain_repeat: int = 3
    warmup: int = 1
    catch_up_timeout_s: float = 120.0


@dataclass
class AloneRound:
    timesteps: int
    timesteps_per_s: float
    served_s: float
    wall_s: float
    energyplus_version: str | None


@dataclass
class ChainRound:
    timesteps: int
    points: int
    chain_s: float | None
    """First timestep served to the graph holding every point's last value; None if it never
    caught up within the timeout."""
    engine_timesteps_per_s: float | None
    """EnergyPlus's own rate inside the chain (the server's queue holds it back when writing
    lags)."""
    served_values: int
    changes: int
    history_rows: int
    graph_points: int
    graph_current: int
    pipeline: dict[str, Any]

    @property
    def timesteps_per_s(self) -> float | None:
        return None if not self.chain_s else self.timesteps / self.chain_s


@dataclass
class ModelResult:
    model: str
    points: int
    alone: list[AloneRound] = field(default_factory=list)
    alone_warmup: list[AloneRound] = field(default_factory=list)
    chain: list[ChainRound] = field(default_factory=list)
    chain_warmup: list[ChainRound] = field(default_factory=list)

    def alone_rate(self) -> float:
        return statistics.median(r.timesteps_per_s for r in self.alone)

    def chain_rate(self) -> float:
        """Median chain rate; a round that never caught up counts as 0."""
        return statistics.median(r.timesteps_per_s or 0.0 for r in self.chain)

    @property
    def ratio(self) -> float:
        return self.chain_rate() / self.alone_rate()

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "points": self.points,
            "alone_timesteps_per_s_median": round(self.alone_rate(), 1),
            "chain_timesteps_per_s_median": round(self.chain_rate(), 1),
            "ratio": round(self.ratio, 3),
            "alone": [dataclasses.asdict(r) for r in self.alone],
            "alone_warmup": [dataclasses.asdict(r) for r in self.alone_warmup],
            "chain": [dataclasses.asdict(r) for r in self.chain],
            "chain_warmup": [dataclasses.asdict(r) for r in self.chain_warmup],
        }


@dataclass
class VirtualResults:
    options: VirtualOptions
    server: dict[str, Any]
    versions: dict[str, Any]
    models: list[ModelResult]
    load_before: list[float]
    load_after: list[float]

    def report(self) -> str:
        o = self.options
        rows = []
        for m in self.models:
            alone = [r.timesteps_per_s for r in m.alone]
            chain = [r.timesteps_per_s or 0.0 for r in m.chain]
            engine = [r.engine_timesteps_per_s or 0.0 for r in m.chain]
            rows.append(
                [f"{m.model}: EnergyPlus alone", f"{m.alone_rate():,.0f}",
                 f"{min(alone):,.0f}", f"{max(alone):,.0f}", len(alone), "", ""]
            )  # fmt: skip
            rows.append(
                [f"{m.model}: chain, graph caught up", f"{m.chain_rate():,.0f}",
                 f"{min(chain):,.0f}", f"{max(chain):,.0f}", len(chain), f"{m.ratio:.2f}",
                 f"EnergyPlus inside the chain {statistics.median(engine):,.0f}/s"]
            )  # fmt: skip
        arrivals = []
        for m in self.models:
            for n, r in enumerate(m.chain, start=1):
                arrivals.append(
                    [f"{m.model} #{n}", f"{r.served_values:,}", f"{r.changes:,}",
                     f"{r.history_rows:,}", f"{r.graph_current}/{r.graph_points}",
                     _count(r.pipeline, "received"), _count(r.pipeline, "unchanged"),
                     _count(r.pipeline, "coalesced"), _count(r.pipeline, "written"),
                     "yes" if _complete(r) else "NO"]
                )  # fmt: skip
        met = all(m.ratio >= TARGET_RATIO for m in self.models)
        dropped = [m.model for m in self.models if not all(_complete(r) for r in m.chain)]
        headers = ["measurement", "median timesteps/s", "min", "max", "rounds", "chain ÷ alone",
                   "notes"]  # fmt: skip
        arrival_headers = ["chain round", "served values", "changes", "history rows",
                           "graph current", "sync received", "unchanged", "coalesced",
                           "written", "all arrived"]  # fmt: skip
        return "\n".join(
            [
                "## Virtual building: EnergyPlus alone vs the chain",
                "",
                info_table({**self.versions, **self.server}),
                "",
                markdown_table(headers, rows),
                "",
                markdown_table(arrival_headers, arrivals),
                "",
                f"{o.days} simulated days from {o.start} ({o.weather}), 15-minute timesteps. "
                f"Target chain ÷ alone >= {TARGET_RATIO}: **{'met' if met else 'not met'}** "
                f"({', '.join(f'{m.model} {m.ratio:.2f}' for m in self.models)}). Values "
                + (
                    "that must arrive: **all arrived**."
                    if not dropped
                    else f"**dropped** in {', '.join(dropped)}."
                )
                + f" Load average before {self.load_before}, after {self.load_after}.",
            ]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "options": dataclasses.asdict(self.options),
            "server": self.server,
            "versions": self.versions,
            "load_before": self.load_before,
            "load_after": self.load_after,
            "models": [m.to_json() for m in self.models],
        }


def _count(counts: dict[str, Any], key: str) -> str:
    value = counts.get(key)
    return f"{value:,}" if isinstance(value, int) else ""


def _complete(r: ChainRound) -> bool:
    return r.history_rows == r.changes and r.graph_current == r.graph_points == r.points


def run_virtual(options: VirtualOptions, server: BenchServer) -> VirtualResults:
    """Both measurements for every model (see the module doc); the chain rounds after the
    EnergyPlus-alone rounds of the same model."""
    load_before = load_average()
    results = []
    for model in options.models:
        prepared = prepare_run(
            RunRequest(model, options.weather, start=options.start, days=options.days)
        )
        result = ModelResult(model, len(prepared.points))
        for n in range(options.warmup + options.alone_repeat):
            measured = _alone(prepared)
            (result.alone if n >= options.warmup else result.alone_warmup).append(measured)
            note(f"virtual: {model} alone {measured.timesteps_per_s:,.0f} timesteps/s")
        chain = _Chain(prepared, server, options)
        for n in range(options.warmup + options.chain_repeat):
            round_ = chain.round()
            (result.chain if n >= options.warmup else result.chain_warmup).append(round_)
            rate = round_.timesteps_per_s
            note(
                f"virtual: {model} chain "
                + (f"{rate:,.0f} timesteps/s" if rate else "did not catch up")
                + f", history {round_.history_rows:,} of {round_.changes:,} changes, graph "
                f"{round_.graph_current}/{round_.graph_points}"
            )
        results.append(result)
    versions = _versions()
    versions["energyplus engine"] = results[0].alone[0].energyplus_version if results else None
    return VirtualResults(options, server.info(), versions, results, load_before, load_average())


# --- EnergyPlus alone ---------------------------------------------------------------------------


def _discard(now: datetime, values: dict[str, float]) -> None:
    """The sink of EnergyPlus alone: the values are read, then dropped."""


def _alone(prepared: PreparedRun) -> AloneRound:
    with tempfile.TemporaryDirectory(prefix="graphtwin-bench-eplus-") as tmp:
        engine = EnergyPlusEngine(prepared.files(Path(tmp)), prepared.points, _discard)
        stats = engine.run()
    return AloneRound(
        stats.timesteps, _rate(stats), stats.served_wall_s, stats.wall_s, stats.energyplus_version
    )


def _rate(stats: RunStats) -> float:
    rate = stats.timesteps_per_s
    if rate is None:
        raise RuntimeError("EnergyPlus served no timestep")
    return rate


# --- the chain ----------------------------------------------------------------------------------


class _ChangeCounter:
    """A sink in front of the server's: counts the served values that changed (what OPC UA and
    sync must carry), keeps the last value of each point and when the first timestep came."""

    def __init__(self, inner: SampleSink) -> None:
        self.inner = inner
        self.first_at: float | None = None
        self.last: dict[str, float] = {}
        self.changes = 0
        self.served = 0
        self._lock = threading.Lock()

    def __call__(self, now: datetime, values: dict[str, float]) -> None:
        with self._lock:
            if self.first_at is None:
                self.first_at = time.perf_counter()
            for twin_id, value in values.items():
                if self.last.get(twin_id) != value:
                    self.changes += 1
                    self.last[twin_id] = value
            self.served += len(values)
        self.inner(now, values)


class _Chain:
    def __init__(self, prepared: PreparedRun, server: BenchServer, options: VirtualOptions):
        from importers.energyplus import EnergyPlusImporter

        self.prepared = prepared
        self.server = server
        self.options = options
        self.graph = EnergyPlusImporter().parse(prepared.model.path)

    def round(self) -> ChainRound:
        with (
            TwinStore.open(self.server.settings) as store,
            tempfile.TemporaryDirectory(prefix="graphtwin-bench-chain-") as tmp,
        ):
            store.reset()
            store.load([self.graph])
            return asyncio.run(self._round(store, Path(tmp)))

    async def _round(self, store: TwinStore, folder: Path) -> ChainRound:
        prepared = self.prepared
        points = prepared.points
        server = VirtualBuildingServer(points, model=prepared.model.name)
        await server.start()
        sync: subprocess.Popen[str] | None = None
        try:
            bindings = folder / "bindings.yaml"
            spec = virtual_bindings(
                points,
                model=prepared.model.name,
                endpoint=server.endpoint,
                namespace_index=server.namespace_index,
                period_s=sampling_period(speed=None, timestep_s=prepared.timestep_s),
            )
            write_bindings(spec, bindings)
            sync = _start_sync(bindings, folder, self.server)
            source = source_id(prepared.model.name)
            await asyncio.to_thread(_wait_subscribed, store, source, len(points), sync)
            loop = asyncio.get_running_loop()
            counter = _ChangeCounter(server.sink(loop, lambda moment: moment))
            engine = EnergyPlusEngine(prepared.files(folder / "energyplus"), points, counter)
            engine.start()
            while engine.running:
                await asyncio.sleep(_POLL_S)
            stats = engine.wait(0)
            assert stats is not None
            await server.drain()
            rows = [{"twin_id": k, "value": v} for k, v in counter.last.items()]
            caught_up, graph = await asyncio.to_thread(
                _wait_current, store, rows, self.options.catch_up_timeout_s
            )
            chain_s = None
            if caught_up is not None and counter.first_at is not None:
                chain_s = caught_up - counter.first_at
            pipeline = _stop_sync(sync)
            sync = None
        finally:
            if sync is not None:
                _stop_sync(sync)
            await server.stop()
        return ChainRound(
            timesteps=stats.timesteps,
            points=len(points),
            chain_s=chain_s,
            engine_timesteps_per_s=stats.timesteps_per_s,
            served_values=counter.served,
            changes=counter.changes,
            history_rows=_history_rows(folder / "var" / "history"),
            graph_points=graph["points"],
            graph_current=graph["current"],
            pipeline=pipeline,
        )


def _start_sync(bindings: Path, folder: Path, server: BenchServer) -> subprocess.Popen[str]:
    """`graphtwin sync --config bindings` in its own process, on the benchmark's Neo4j, with its
    audit keys in `folder` (not the user's)."""
    graphtwin = Path(sys.executable).with_name("graphtwin")
    env = server.cli_env()
    env["GRAPHTWIN_AUDIT_KEY_FILE"] = str(folder / "keys" / "audit.key")
    env["GRAPHTWIN_AUDIT_SIGNING_KEY_FILE"] = str(folder / "keys" / "audit-signing.pem")
    env["GRAPHTWIN_TELEMETRY_DIR"] = str(folder / "telemetry")
    with (folder / "sync.log").open("w") as log:
        return subprocess.Popen(
            [str(graphtwin), "sync", "--config", str(bindings)],
            env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )  # fmt: skip


def _wait_subscribed(
    store: TwinStore, source: str, points: int, sync: subprocess.Popen[str]
) -> None:
    """Until sync's DataSource node has received a first notification of every variable (its
    subscription is live), published every 2 s."""
    deadline = time.monotonic() + _GATE_TIMEOUT_S
    while time.monotonic() < deadline:
        if sync.poll() is not None:
            raise RuntimeError(f"graphtwin sync ended with exit code {sync.returncode}")
        for row in store.read("telemetry/sources"):
            found = row["source"]
            if found["source_id"] == source and (found.get("received") or 0) >= points:
                return
        time.sleep(0.1)
    raise TimeoutError(f"graphtwin sync did not subscribe to {source} in {_GATE_TIMEOUT_S} s")


def _wait_current(
    store: TwinStore, rows: list[dict[str, Any]], timeout_s: float
) -> tuple[float | None, dict[str, int]]:
    """The moment the graph holds every row's value (None if not within `timeout_s`), and the
    last count of points and current points."""
    deadline = time.monotonic() + timeout_s
    while True:
        counts = store.read("bench/virtual_points_current", rows=rows)[0]
        if counts["current"] == len(rows):
            return time.perf_counter(), counts
        if time.monotonic() > deadline:
            return None, counts
        time.sleep(_POLL_S)


def _stop_sync(sync: subprocess.Popen[str]) -> dict[str, Any]:
    """Ctrl-C for sync (it flushes the history and prints its pipeline's counts); its counts."""
    sync.send_signal(signal.SIGINT)
    try:
        stdout, _ = sync.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        sync.kill()
        sync.communicate()
        raise
    if sync.returncode != 0:
        raise RuntimeError(f"graphtwin sync ended with exit code {sync.returncode}")
    counts: dict[str, Any] = json.loads(stdout)
    return counts


def _history_rows(root: Path) -> int:
    import pyarrow.dataset as ds

    if not root.is_dir():
        return 0
    return int(ds.dataset(str(root), format="parquet", partitioning="hive").count_rows())


def _versions() -> dict[str, Any]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "pyenergyplus-lbnl": version("pyenergyplus-lbnl"),
        "asyncua": version("asyncua"),
        "pyarrow": version("pyarrow"),
    }
