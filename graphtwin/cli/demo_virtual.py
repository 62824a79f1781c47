"""The demo's virtual building: EnergyPlus's ASHRAE 90.1-2019 medium office as a building of
the Riverside campus, seen live by the twin as a building management system would show it.

- `office_jobs(examples)`: what the demo imports for it, through the same import as every other
  demo file: the model from its IDF (the EnergyPlus importer), the links file that puts it in
  the campus, and its governance file (a comfort constraint on its zones).
- `VirtualOffice`: the live part. `prepare()` checks the run (Denver weather, the July week from
  Monday 07-07-2025, the scripted faults file); `serving()` runs EnergyPlus at `speed` simulated
  seconds per wall second in a worker thread and serves its points as a BACnet/IP device on
  127.0.0.1 (an analog-value object per point, and trend logs of them), yielding the bindings
  the demo's sync adds as one more source (zone temperatures with comfort thresholds): every
  timestep read from the trend logs by ReadRange every `TREND_LOG_S`, with its time, and the
  present-values polled every `BACNET_POLL_S`; `watch()` prints what happens: simulated time,
  the AHU trip, zones warming, the threshold issues and the comfort constraint's violations.

At the default 3600x (an hour a second) the trip on the second morning comes about 33 s after
EnergyPlus has warmed up (a few seconds). From the trip until an hour after it the run slows to
900x (a 15-minute timestep a second, `StoryPace`): the trip's zones pass 27 degC two seconds
in and stay above it for about 15 s. The rest of the week runs at 7200x; it ends about two
minutes after EnergyPlus started.

>>> office = VirtualOffice(Path("examples"))  # doctest: +SKIP
>>> prepared = office.prepare()  # doctest: +SKIP
>>> async with office.serving(Path("var/demo")) as bindings:  # doctest: +SKIP
...     sync = TwinSync(merged_bindings(spec, bindings), store)
...     await alongside(sync.run(duration_s=60), office.watch(store, settings))
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import neo4j
import numpy as np
from numpy.typing import NDArray
from rich.markup import escape

import graphtwin
from graphtwin.cli.demo_whatif import (
    HISTORY_FOLDER,
    WHATIF,
    WhatIf,
    load_whatif,
    office_history,
    print_whatif,
    run_whatif,
)
from graphtwin.cli.output import out
from graphtwin.config import Settings
from graphtwin.drift.rules import Bounds, Thresholds
from graphtwin.errors import GraphTwinError
from graphtwin.reasoning.because import describe_chain
from graphtwin.reasoning.checks import Violation
from graphtwin.reasoning.constraint_reader import ConstraintReader
from graphtwin.simulation.scenario import Scenario
from graphtwin.store import TwinStore
from graphtwin.store.connection import open_async_driver, resolve_target
from graphtwin.telemetry.bindings import BindingsFile, SyncRule
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.bindings_file import virtual_bacnet_bindings, write_bindings
from graphtwin.virtual.clock import Pace
from graphtwin.virtual.models import resolve_model
from graphtwin.virtual.runs import PreparedRun, RunRequest, ServedRun, prepare_run
from importers import IMPORTERS, Importer

MODEL = "office_medium"
WEATHER = "denver"
YEAR = 2025
START = "07-07"
"""A Monday in 2025: five working days, then the weekend (cooling off, zones float warm)."""
DAYS = 7
SPEED = 3600.0
"""Simulated seconds per wall second: an hour a second, the week in about 3 minutes."""
SLOW_MOTION = 900.0
"""The speed while a fault plays out and an hour after: a 15-minute timestep a second, so
there is time to read what happens (and for the twin to reason about it)."""
AFTERMATH = timedelta(hours=1)
FAST_FORWARD = 2.0
"""After the last fault's aftermath the rest of the week runs this many times faster."""
SERVE_LAST_VALUES_S = 365 * 86_400.0
"""Once the week is over the server goes on serving its last values until the demo ends, so
the sync keeps its source (and no client sees the server go away)."""
BUILDING = "eplus:ASHRAE901_OfficeMedium_STD2019_Denver/building/OfficeMedium"
"""The imported building's twin id (the EnergyPlus importer's `eplus:<file stem>/building/...`);
examples/office-medium-links.yaml puts it in the campus."""
LINKS = "office-medium-links.yaml"
GOVERNANCE = "office-medium-governance.yaml"
FAULTS = "office-medium-faults.yaml"
BINDINGS = "office-medium-bindings.yaml"

SAMPLING_RULE = "office-medium"
COMFORT_RULE = "office-medium-comfort"
COMFORT = Thresholds(
    warning=Bounds(low=19.0, high=27.0), critical=Bounds(low=16.0, high=29.0), hysteresis=0.5
)
"""Threshold drift on every zone air temperature of the office (docs/telemetry.md)."""
ZONE_TEMPERATURE = "Zone_Air_Temperature_Sensor"
OUTDOOR_TEMPERATURE = "Outside_Air_Temperature_Sensor"
FAN_STATUS = "Fan_Status"

STATUS_EVERY = timedelta(hours=6)
"""How often (simulated) the watch prints the office's state."""
POLL_S = 0.25
HISTORY_WAIT_S = 10.0
"""How long the what-if waits for the sync to have written the trip's moment to the history."""
SHOWN_VIOLATIONS = 10
TREND_LOG_S = 0.5
"""How often the sync reads the office device's trend logs (ReadRange from the last record
seen): every timestep, with its time, however fast the run (at the 14,400x fast forward, eight
timesteps a read). A poll of present-values alone saw one timestep in two at 7200x, and the
what-if, calibrated on that thinner history, foresaw no comfort violation; COV at that speed
was more notifications than bacpypes3's device and client carry in one process."""
BACNET_POLL_S = 5.0
"""How often the sync also polls the office's present-values (ReadPropertyMultiple), as a BMS
does between trend log reads: the values' status, and the source's health."""


def office_jobs(examples: Path) -> tuple[list[tuple[Importer, Path]], list[tuple[Importer, Path]]]:
    """What the demo imports for the office: (the model and its links into the campus, its
    governance). The demo imports governance files last."""
    model = resolve_model(MODEL).path  # pyenergyplus's bundled IDF
    return (
        [(IMPORTERS["energyplus"], model), (IMPORTERS["twin"], examples / LINKS)],
        [(IMPORTERS["governance"], examples / GOVERNANCE)],
    )


def merged_bindings(spec: BindingsFile, office: BindingsFile) -> BindingsFile:
    """`spec` with the office's source, rules and bindings added: one sync, one pipeline, one
    history and audit log for the whole campus."""
    clash = set(spec.rules) & set(office.rules)
    if clash:
        raise ValueError(f"rule names used twice: {sorted(clash)}")
    return spec.model_copy(
        update={
            "sources": [*spec.sources, *office.sources],
            "rules": {**spec.rules, **office.rules},
            "bindings": [*spec.bindings, *office.bindings],
        }
    ).checked()


def office_bindings(prepared: PreparedRun, serving: dict[str, Any]) -> BindingsFile:
    """The virtual building's generated BACnet bindings (`virtual_bacnet_bindings`): trend logs
    read every `TREND_LOG_S`, present-values polled every `BACNET_POLL_S`, with its default
    rule named for the office and a comfort rule, thresholds included, on the zone
    temperatures."""
    spec = virtual_bacnet_bindings(
        prepared.points,
        model=prepared.model.name,
        address=serving["address"],
        device=serving["device"],
        period_s=BACNET_POLL_S,
        log_period_s=TREND_LOG_S,
    )
    sampling = (spec.rules.get("default") or SyncRule()).model_copy(
        update={"mode": "poll", "period_s": BACNET_POLL_S}
    )
    zone_temperatures = {p.twin_id for p in prepared.points if p.brick_class == ZONE_TEMPERATURE}
    bindings = [
        b.model_copy(
            update={"rule": COMFORT_RULE if b.point.twin_id in zone_temperatures else SAMPLING_RULE}
        )
        for b in spec.bindings
    ]
    rules = {
        SAMPLING_RULE: sampling,
        COMFORT_RULE: sampling.model_copy(update={"thresholds": COMFORT}),
    }
    return spec.model_copy(update={"rules": rules, "bindings": bindings}).checked()


class StoryPace(Pace):
    """A `Pace` at `speed` but for the simulated `segments` (start, end, speed) it gives.

    Wall time is the integral of 1/speed over simulated time, so served timestamps stay
    continuous and increasing.

    >>> start = datetime(2025, 7, 7, tzinfo=UTC)
    >>> hour = timedelta(hours=1)
    >>> pace = StoryPace(3600, [(start + hour, start + 2 * hour, 900),
    ...                         (start + 2 * hour, start + 4 * hour, 7200)])
    >>> pace.wall_seconds(start, start + 5 * hour)
    7.0
    """

    def __init__(self, speed: float, segments: list[tuple[datetime, datetime, float]]) -> None:
        super().__init__(speed)
        self.segments = sorted(segments)
        for (_, end, _), (start, _, _) in itertools.pairwise(self.segments):
            if start < end:
                raise ValueError("the segments of a StoryPace overlap")
        if any(not pace > 0 for _, _, pace in self.segments):
            raise ValueError("every segment's speed must be above 0")
        self._first: tuple[datetime, float, float] | None = None  # sim, wall epoch, monotonic

    def wall_seconds(self, since: datetime, sim: datetime) -> float:
        """Wall seconds from simulated moment `since` to `sim` at this pace."""
        base = self.speed or 1.0
        seconds = (sim - since).total_seconds() / base
        for start, end, speed in self.segments:
            overlap = (min(end, sim) - max(start, since)).total_seconds()
            if overlap > 0:
                seconds += overlap * (1 / speed - 1 / base)
        return seconds

    def _anchor_at(self, sim: datetime) -> tuple[datetime, float, float]:
        if self._first is None:
            self._first = (sim, time.time(), time.monotonic())
        return self._first

    def served_at(self, sim: datetime) -> datetime:
        first_sim, first_wall, _ = self._anchor_at(sim)
        return datetime.fromtimestamp(first_wall + self.wall_seconds(first_sim, sim), UTC)

    def simulated_ns(self, served_ns: NDArray[np.int64]) -> NDArray[np.int64]:
        """The simulated moments (epoch ns) that were served at `served_ns` (epoch ns): the
        inverse of `served_at`, for reading the history the sync stamped with served times.
        Speed is constant between the segments' bounds, so it interpolates between them (at
        `speed` before the first and after the last). Only once something has been served."""
        if self._first is None:
            raise RuntimeError("nothing served yet: the pace has no anchor")
        first_sim, first_wall, _ = self._first
        bounds = {b for start, end, _ in self.segments for b in (start, end) if b > first_sim}
        knots = [first_sim, *sorted(bounds)]
        sim_s = np.array([k.timestamp() for k in knots])
        wall_s = np.array([first_wall + self.wall_seconds(first_sim, k) for k in knots])
        served_s = np.asarray(served_ns, dtype=np.int64) / 1e9
        base = self.speed or 1.0
        sim = np.interp(served_s, wall_s, sim_s)
        sim = np.where(served_s < wall_s[0], sim_s[0] + (served_s - wall_s[0]) * base, sim)
        sim = np.where(served_s > wall_s[-1], sim_s[-1] + (served_s - wall_s[-1]) * base, sim)
        return np.round(sim * 1e9).astype(np.int64)

    def wait(self, sim: datetime, stop: threading.Event) -> None:
        first_sim, _, first_mono = self._anchor_at(sim)
        delay = first_mono + self.wall_seconds(first_sim, sim) - time.monotonic()
        if delay > 0:
            stop.wait(delay)


@dataclass
class _Seen:
    """What the watch has already printed."""

    next_status: datetime | None = None
    faults_started: set[str] = field(default_factory=set)
    faults_ended: set[str] = field(default_factory=set)
    issues: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Open threshold issues on the office: issue id -> (twin id, severity)."""
    violations_shown: bool = False
    whatif_shown: bool = False
    finished: bool = False


class VirtualOffice:
    """The medium office run live (see the module doc)."""

    def __init__(self, examples: Path, *, speed: float = SPEED) -> None:
        self.faults_file = examples / FAULTS
        self.examples = examples
        self.whatif: Scenario | None = None
        self.speed = speed
        self.prepared: PreparedRun | None = None
        self.served: ServedRun | None = None
        self.serving_info: dict[str, Any] = {}
        self.bindings_file: Path | None = None
        self.pace: StoryPace | None = None
        self._task: asyncio.Task[Any] | None = None
        self._seen = _Seen()
        self._whatif: asyncio.Task[WhatIf] | None = None

    # --- running --------------------------------------------------------------------------

    def prepare(self) -> PreparedRun:
        """Check the run before anything starts (blocking: EnergyPlus converts the model and
        lists its actuators, a few seconds); a bad faults file or what-if scenario is an
        InputError."""
        request = RunRequest(
            MODEL, WEATHER, start=START, days=DAYS, year=YEAR, faults=self.faults_file
        )
        self.prepared = prepare_run(request)
        self.whatif = load_whatif(self.examples)
        return self.prepared

    @contextlib.asynccontextmanager
    async def serving(self, bindings_dir: Path) -> AsyncIterator[BindingsFile]:
        """Run EnergyPlus and serve its points until the block ends (Ctrl-C, or the demo's
        live time), yielding the office's bindings once the run serves (its BACnet device
        answers from EnergyPlus's first timestep on, bacnet_server.py). They are also written
        to `bindings_dir` for `graphtwin sync` and for reading."""
        prepared = self.prepared or await asyncio.to_thread(self.prepare)
        self.pace = self._story_pace()
        served = self.served = ServedRun(
            prepared,
            speed=self.speed,
            linger_s=SERVE_LAST_VALUES_S,
            pace=self.pace,
            protocol="bacnet",
        )
        listening = asyncio.Event()

        def ready(serving: dict[str, Any]) -> None:
            self.serving_info = serving
            listening.set()

        task = self._task = asyncio.create_task(served.run(ready))
        waiting = asyncio.create_task(listening.wait())
        try:
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if not listening.is_set():
                task.result()  # raises why the run ended before it served anything
                raise RuntimeError("the virtual building ended before its server listened")
            spec = office_bindings(prepared, self.serving_info)
            header = (
                f"Generated by graphtwin {graphtwin.__version__} (graphtwin demo) for the virtual "
                f"building {prepared.model.name} on {self.serving_info['endpoint']}.\n"
                f"Zone air temperatures follow the rule {COMFORT_RULE} (threshold drift)."
            )
            self.bindings_file = write_bindings(spec, bindings_dir / BINDINGS, header=header)
            yield spec
        finally:
            waiting.cancel()
            task.cancel()  # ServedRun stops EnergyPlus, joins its thread, closes the server
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _story_pace(self) -> StoryPace:
        """`speed`, slowed to `SLOW_MOTION` from each fault until `AFTERMATH` after it, then
        `FAST_FORWARD` times `speed` to the end of the run."""
        prepared = self.prepared
        assert prepared is not None
        slow = min(SLOW_MOTION, self.speed)
        segments: list[tuple[datetime, datetime, float]] = []
        for label in sorted(prepared.faults.labels(), key=lambda label: label["start"]):
            start, end = _utc(label["start"]), min(_utc(label["end"]) + AFTERMATH, prepared.end)
            if segments and start <= segments[-1][1]:  # overlapping faults: one slow stretch
                start = segments.pop()[0]
            segments.append((start, end, slow))
        if segments and segments[-1][1] < prepared.end:
            segments.append((segments[-1][1], prepared.end, self.speed * FAST_FORWARD))
        return StoryPace(self.speed, segments)

    def describe(self) -> list[str]:
        """What the demo prints once the office serves: model, weather, days, speed, endpoint,
        bindings and the scripted faults, in simulated time and roughly when on the wall."""
        prepared = self.prepared
        assert prepared is not None, "prepare() first"
        pace = self.pace or self._story_pace()
        lines = [
            f"  Model    {prepared.model.name}: {prepared.model.path.name} "
            f"({len(prepared.points)} points, {prepared.timestep_s / 60:g}-minute timesteps)",
            f"  Weather  {prepared.weather.name}: {prepared.weather.path.name}",
            f"  Period   {self._local(prepared.start):%a %Y-%m-%d} to "
            f"{self._local(prepared.end - timedelta(seconds=1)):%a %Y-%m-%d} "
            f"(local standard time, UTC{prepared.time_zone_h:+g}) at {pace.speed:g}x"
            + "".join(
                f", {speed:g}x {self._local(start):%a %H:%M}-{self._local(end):%a %H:%M}"
                for start, end, speed in pace.segments
            )
            + f": the week in about {pace.wall_seconds(prepared.start, prepared.end):.0f} s",
            f"  BACnet   {self.serving_info.get('endpoint')} (trend logs read every "
            f"{TREND_LOG_S:g} s, present-values polled every {BACNET_POLL_S:g} s)",
            f"  Bindings {self.bindings_file}  (zone temperatures: warning above "
            f"{_high(COMFORT.warning)} degC, critical above {_high(COMFORT.critical)} degC)",
        ]
        for label in prepared.faults.labels():
            start, end = _utc(label["start"]), _utc(label["end"])
            due = pace.wall_seconds(prepared.start, start)
            lines.append(
                f"  Fault    {label['type']} of {_names(label['targets'])} "
                f"({label['id']}): {self._local(start):%a %m-%d %H:%M} to "
                f"{self._local(end):%H:%M}, about {due:.0f} s after EnergyPlus has warmed up"
            )
        lines.append(f"  .venv/bin/graphtwin violations {BUILDING}")
        return lines

    # --- watching -------------------------------------------------------------------------

    async def watch(
        self, store: TwinStore, settings: Settings, *, history: HistoryStore | None = None
    ) -> None:
        """Print what the office does until cancelled; raises what stopped EnergyPlus.

        With `history` (the sync's history store), the AHU trip starts the what-if
        (demo_whatif.py) in a task of its own, whose comparison is printed when it is done.

        When threshold issues open, the violations of the zones they concern are reasoned in a
        task of their own, so the simulated time, the trip and the issues keep being printed
        meanwhile (a fraction of a second on a quiet machine, seconds on a busy one: the trip
        runs in slow motion, so its zones stay warm for about 15 s)."""
        prepared, served = self.prepared, self.served
        assert prepared is not None and served is not None, "watch inside serving()"
        target = resolve_target(settings)
        driver = await open_async_driver(target)
        reader = ConstraintReader(driver, target.database)
        # The office's violations before anything happens: a baseline for the reader, and the
        # reasoning's statements planned by Neo4j before the trip, when they must be quick.
        baseline: asyncio.Task[list[Violation]] | None = asyncio.create_task(
            reader.violations(BUILDING)
        )
        reasoning: asyncio.Task[list[Violation]] | None = None
        try:
            while True:
                await asyncio.sleep(POLL_S)
                self._check_run()
                now = served.stats.last_sample
                if baseline is not None and baseline.done():
                    self._baseline(baseline.result())
                    baseline = None
                if now is None:
                    continue
                for label in self._faults(now):
                    if label["type"] == "trip" and history is not None and self._whatif is None:
                        self._whatif = asyncio.create_task(
                            self._what_if(driver, target.database, settings, history, label)
                        )
                self._print_whatif()
                open_issues = await self._issues(store, now)
                if reasoning is not None and reasoning.done():
                    self._violations(now, reasoning.result())
                    reasoning = None
                if not open_issues:
                    self._seen.violations_shown = False  # the next episode shows them again
                elif reasoning is None and not self._seen.violations_shown:
                    reasoning = asyncio.create_task(_zone_violations(reader, open_issues))
                await self._status(store, now)
        finally:
            for task in (baseline, reasoning, self._whatif):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await driver.close()

    def _check_run(self) -> None:
        """Raise what stopped EnergyPlus or its server; say once when the week is over."""
        task, served = self._task, self.served
        if task is not None and task.done():
            task.result()  # the run failed (a crash's error quotes EnergyPlus)
        engine = served.engine if served is not None else None
        if engine is None or engine.running or self._seen.finished:
            return
        stats = engine.wait(0)  # raises what ended EnergyPlus's thread, if anything did
        self._seen.finished = True
        out.print(
            f"[bold]{MODEL}[/]: the simulated week is over ({stats.timesteps if stats else 0} "
            "timesteps served); its server goes on serving the last values"
        )

    def _faults(self, now: datetime) -> list[dict[str, Any]]:
        """Print the faults that started or ended; the labels of those that started."""
        assert self.prepared is not None
        seen = self._seen
        started = []
        for label in self.prepared.faults.labels():
            start, end = _utc(label["start"]), _utc(label["end"])
            if label["id"] not in seen.faults_started and now > start:
                seen.faults_started.add(label["id"])
                started.append(label)
                zones = [a for a in label.get("affected", ()) if _is_zone(a)]
                out.print(
                    f"{self._stamp(start)}  [bold red]FAULT {label['type']} of "
                    f"{_names(label['targets'])}[/] ({label['id']}) until "
                    f"{self._local(end):%H:%M}: it serves {len(zones)} zones ({_names(zones)})"
                )
            if label["id"] not in seen.faults_ended and now >= end:
                seen.faults_ended.add(label["id"])
                out.print(
                    f"{self._stamp(end)}  [bold green]{label['id']} is over[/]: "
                    f"{_names(label['targets'])} runs again"
                )
        return started

    # --- the what-if ----------------------------------------------------------------------

    async def _what_if(
        self,
        driver: neo4j.AsyncDriver,
        database: str,
        settings: Settings,
        history: HistoryStore,
        trip: dict[str, Any],
    ) -> WhatIf:
        """The demo's what-if from the trip's time (demo_whatif.py), on the office's history
        up to the trip restamped in the office's clock."""
        prepared, pace, scenario = self.prepared, self.pace, self.whatif
        assert prepared is not None and pace is not None and scenario is not None
        start = _utc(trip["start"])
        out.print(
            f"{self._stamp(start)}  [bold]what-if[/] {escape(scenario.name)}: calibrating the "
            f"office's zone models on its history so far, then inaction and "
            f"{len(scenario.actions)} actions over {scenario.horizon} from the trip "
            f"({WHATIF})"
        )
        served_trip = pace.served_at(start)
        zone_point = next(p.twin_id for p in prepared.points if p.brick_class == ZONE_TEMPERATURE)
        await _history_reaches(history, zone_point, served_trip)
        copy = await asyncio.to_thread(
            office_history,
            history,
            [p.twin_id for p in prepared.points],
            since=pace.served_at(prepared.start),
            until=served_trip,
            to_simulated=pace.simulated_ns,
            root=history.root.parent / HISTORY_FOLDER,
        )
        return await run_whatif(
            driver,
            database,
            scenario=scenario,
            start=start,
            history=copy,
            settings=settings,
            root=BUILDING,
            file=self.examples / WHATIF,
        )

    def _print_whatif(self) -> None:
        """The what-if's comparison once it is done (an input error it met, printed)."""
        task = self._whatif
        if task is None or not task.done() or self._seen.whatif_shown:
            return
        self._seen.whatif_shown = True
        try:
            whatif = task.result()
        except GraphTwinError as exc:
            out.print(f"[red]what-if not run:[/] {escape(str(exc))}")
            return
        out.rule("[bold]What if: action against inaction, after the trip")
        print_whatif(whatif)
        out.rule("[bold]The medium office, live")

    async def _issues(self, store: TwinStore, now: datetime) -> list[str]:
        """Print the office's threshold issues that opened, changed or resolved; the twin ids
        of the points with an open one."""
        rows = await asyncio.to_thread(
            store.read,
            "drift/issues_list",
            statuses=["open"],
            types=["threshold"],
            twin_id=None,
            limit=500,
        )
        prefix = BUILDING.split("/", 1)[0] + "/"
        issues = {r["issue"]["issue_id"]: r for r in rows if r["twin_id"].startswith(prefix)}
        seen = self._seen
        for issue_id, row in issues.items():
            issue = row["issue"]
            before = seen.issues.get(issue_id)
            if before is None or before[1] != issue["severity"]:
                what = "threshold issue" if before is None else "threshold issue now"
                out.print(
                    f"{self._stamp(now)}  [yellow]{what} {issue['severity']}[/] "
                    f"{_point_name(row['twin_id'])}: {escape(issue['description'] or '')}"
                )
        for issue_id in set(seen.issues) - set(issues):
            out.print(
                f"{self._stamp(now)}  [green]resolved[/] {_point_name(seen.issues[issue_id][0])}"
            )
        seen.issues = {i: (r["twin_id"], r["issue"]["severity"]) for i, r in issues.items()}
        return sorted({r["twin_id"] for r in issues.values()})

    def _baseline(self, found: list[Violation]) -> None:
        hard = sum(v.severity == "hard" for v in found)
        out.print(
            f"  The office as the twin holds it now: {len(found)} violations, {hard} hard "
            f"(graphtwin violations {BUILDING})",
            markup=False,
        )

    def _violations(self, now: datetime, found: list[Violation]) -> None:
        """Print the violations once some are hard (the values that raised the issues may not
        have been in the graph yet when the reasoning read it)."""
        if self._seen.violations_shown or not any(v.severity == "hard" for v in found):
            return
        self._seen.violations_shown = True
        self._print_violations(now, found)

    def _print_violations(self, now: datetime, found: list[Violation]) -> None:
        ordered = sorted(found, key=lambda v: (v.severity != "hard", -v.compared))
        hard = sum(v.severity == "hard" for v in found)
        out.print(
            f"{self._stamp(now)}  [bold]violations[/] of the zones with threshold issues "
            f"(graphtwin violations <zone>): {len(found)}, {hard} hard"
        )
        for v in ordered[:SHOWN_VIOLATIONS]:
            colour = "red" if v.severity == "hard" else "yellow"
            unit = v.unit or v.limit_unit or ""
            condition = f" when {v.when}" if v.when else ""
            seen_at = f" (point {_point_name(v.point)})" if v.point and v.point != v.node else ""
            out.print(
                f"  {escape(_point_name(v.node))}  {v.property} {v.value:.1f} {unit}"
                f"{escape(seen_at)}  [{colour}]{v.severity} {v.bound} {v.limit:g} "
                f"{v.limit_unit or ''}[/]{condition}, set by {', '.join(v.constraint_ids)}"
            )
            out.print(f"      because {describe_chain(v.because)}", markup=False)
        if len(found) > SHOWN_VIOLATIONS:
            out.print(f"  ... and {len(found) - SHOWN_VIOLATIONS} more")

    async def _status(self, store: TwinStore, now: datetime) -> None:
        """Every `STATUS_EVERY` of simulated time, the office as the twin sees it."""
        seen = self._seen
        first = seen.next_status is None
        if seen.next_status is not None and now < seen.next_status:
            return
        local = self._local(now)
        step = STATUS_EVERY.total_seconds()
        since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
        boundary = (
            now
            - since_midnight
            + timedelta(seconds=(since_midnight.total_seconds() // step + 1) * step)
        )
        seen.next_status = boundary
        if first:  # the twin may still hold the values of an earlier run
            out.print(f"{self._stamp(now)}  EnergyPlus has warmed up: the first timestep is served")
            return
        assert self.prepared is not None
        points = {p.twin_id: p for p in self.prepared.points}
        wanted = [
            p.twin_id
            for p in points.values()
            if p.brick_class in (ZONE_TEMPERATURE, OUTDOOR_TEMPERATURE, FAN_STATUS)
        ]
        rows = await asyncio.to_thread(store.read, "api/nodes_by_id", ids=wanted)
        current = {
            r["id"]: r["n"]["current"]["value"]
            for r in rows
            if r["n"]["current"] and r["n"]["current"]["value"] is not None
        }
        zones = {t: v for t, v in current.items() if points[t].brick_class == ZONE_TEMPERATURE}
        outdoor = [v for t, v in current.items() if points[t].brick_class == OUTDOOR_TEMPERATURE]
        fans = [v for t, v in current.items() if points[t].brick_class == FAN_STATUS]
        if not zones:
            out.print(f"{self._stamp(now)}  waiting for the first values to reach the twin")
            return
        warmest = max(zones, key=lambda t: zones[t])
        weather = f"outdoor {outdoor[0]:.1f} degC  " if outdoor else ""
        out.print(
            f"{self._stamp(now)}  {weather}zones {min(zones.values()):.1f} to "
            f"{zones[warmest]:.1f} degC (warmest {_point_name(points[warmest].parent)})  "
            f"fans on {sum(v > 0 for v in fans)}/{len(fans)}"
        )

    # --- time -----------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        assert self.prepared is not None
        return moment.astimezone(timezone(timedelta(hours=self.prepared.time_zone_h)))

    def _stamp(self, moment: datetime) -> str:
        return f"[dim]{self._local(moment):%a %m-%d %H:%M}[/]"


async def alongside(main: Awaitable[None], watch: Awaitable[None]) -> None:
    """Await `main` (the sync, or the API with it) while `watch` prints the office: `main`
    ending ends the watch; the watch failing (EnergyPlus crashed) stops `main`. The error of
    the task that ended first is raised, else any error the other raised while stopping."""
    tasks = [asyncio.ensure_future(main), asyncio.ensure_future(watch)]
    done: set[asyncio.Future[None]] = set()
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()  # the sync flushes and closes when cancelled
        results = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [
        (task not in done, result)
        for task, result in zip(tasks, results, strict=True)
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError)
    ]
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]


async def _history_reaches(
    history: HistoryStore, point: str, served: datetime, timeout_s: float = HISTORY_WAIT_S
) -> None:
    """Wait until `history` holds a value of `point` served at `served` or later (the sync
    writes a little after the server serves), for at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(history.query, point, served, None, 1)
        if len(found):
            return
        await asyncio.sleep(POLL_S)


async def _zone_violations(reader: ConstraintReader, points: list[str]) -> list[Violation]:
    """The violations of the zones whose points are `points` (zone air temperatures, whose
    twin ids are `<zone id>/air-temperature`), each reasoned from its zone down."""
    zones = sorted({point.rsplit("/", 1)[0] for point in points})
    found = await asyncio.gather(*(reader.violations(zone) for zone in zones))
    return [v for per_zone in found for v in per_zone]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _names(twin_ids: list[str]) -> str:
    return ", ".join(t.rsplit("/", 1)[-1] for t in twin_ids)


def _is_zone(twin_id: str) -> bool:
    """Whether `twin_id` is a zone's (`eplus:<model>/zone/<name>`), not one of its points'."""
    parts = twin_id.split("/")
    return len(parts) == 3 and parts[1] == "zone"


def _point_name(twin_id: str) -> str:
    """`Perimeter_mid_ZN_1 air-temperature` for a point's twin id, the name for a node's."""
    parts = twin_id.split("/")
    return " ".join(parts[2:]) if len(parts) > 2 else twin_id


def _high(bounds: Bounds | None) -> str:
    return f"{bounds.high:g}" if bounds and bounds.high is not None else "-"
