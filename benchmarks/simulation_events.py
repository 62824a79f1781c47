"""EnergyPlus ground truth for the what-if benchmark: recorded runs with AHU trips and cooling
setpoint actions, each beside a clean run of the same window.

For every building x climate x season of an `EventsSpec` three runs are recorded, as the
evaluation data sets record theirs (`record_dataset_run`: the history store's Parquet,
`run.json`, `labels.json`, the faults file, and `complete.json` written last):

- `<building>-<climate>-<season>-clean`: the window without any event, the reference;
- `...-trips`: `history_days` (14) of history, then one 4 h trip of an AHU on each of
  `trip_hours` (08:00, 11:00, 13:00 local standard time), each on its own weekday, at least
  `min_gap_days` (2) after the one before so the zones recover; the AHUs rotate
  (`EventsSpec.rotation`: medium office PACU_VAV_bot/mid/top, small office PSZ-AC:1-5), so each
  AHU is tripped at different hours over the set;
- `...-setpoint` (`setpoint_seasons`: summer): the cooling setpoint of every zone of one AHU
  raised by `setpoint_delta_k` (+2 K) for 3 h at each of `setpoint_hours` (11:00, 13:00). A
  `setpoint_change` takes absolute values: the clean run's cooling setpoint, plus 2 K, one
  entry per stretch over which the clean setpoint holds (the small office's steps between 23.9
  and 24.4 C every hour); the first entry has the event's id, the others `<id>.2`, `<id>.3`.

Event days are taken from the clean run: a day qualifies when the AHU's fans run through the
whole event (a holiday, such as Martin Luther King Day in the winter window, does not). The
events are plain faults (`trip`, `setpoint_change`, acting on EnergyPlus), so `labels.json` is
their ground truth.

Runs are cached under `<user cache>/graphtwin/simulation-events/<spec hash>/<run>`; the hash
covers the spec, this module's format version and the EnergyPlus package, so a changed spec
records again, and a folder without its marker (a run cut short) is recorded again. One
EnergyPlus run at a time.

>>> runs = ensure_event_runs(progress=print)  # doctest: +SKIP
>>> trip = runs[0].events[0]  # doctest: +SKIP
>>> trip.id, trip.target.rsplit("/", 1)[1], trip.start.isoformat()  # doctest: +SKIP
('trip-1', 'PACU_VAV_bot', '2025-07-07T14:00:00+00:00')
>>> energyplus_scenario_seconds(runs[0], trip)  # the event's day alone  # doctest: +SKIP
1.75
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import statistics
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import platformdirs
import yaml

from graphtwin.errors import GraphTwinError, InputError
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.dataset_build import (
    FAULTS_FILE,
    RecordTask,
    record_dataset_run,
    run_status,
)
from graphtwin.virtual.datasets import (
    DatasetRun,
    Season,
    energyplus_package_version,
    run_name,
    spec_hash,
)
from graphtwin.virtual.engine import EnergyPlusEngine
from graphtwin.virtual.faults.model_index import Entity, ModelIndex
from graphtwin.virtual.models import resolve_model, resolve_weather, weather_time_zone
from graphtwin.virtual.record import LABELS_FILE, RUN_FILE
from graphtwin.virtual.runs import RunRequest, prepare_run
from importers.energyplus import observed_points
from importers.energyplus.ids import model_prefix
from importers.energyplus.runtime import convert_to_epjson

EVENTS_VERSION = 1
"""The format of these runs; raise it when a run would differ for the same spec."""
REPEATS = 3
"""EnergyPlus runs behind `energyplus_scenario_seconds` (their median)."""

EventKind = Literal["trip", "cooling_setpoint"]
Variant = Literal["clean", "trips", "setpoint"]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SimEvent:
    """One what-if EnergyPlus ran: an AHU trip, or a cooling setpoint raised on an AHU's zones."""

    id: str
    """The fault's id in the run's faults file and labels.json (`trip-3`, `setpoint-1`)."""
    kind: EventKind
    target: str
    """Twin id of what is acted on: the AHU for a trip; for a setpoint, the AHU whose zones all
    get the raised cooling setpoint (their ids in `affected_zones`)."""
    start: datetime
    """UTC, on a timestep boundary."""
    duration_s: float
    """4 h for a trip (the prediction horizon), 3 h for a setpoint."""
    delta_k: float | None
    """+2.0 for cooling_setpoint events, None for trips."""
    affected_zones: tuple[str, ...]
    """Zone twin ids it acts on (the zones labels.json lists as affected)."""

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class EventRun:
    """One recorded run with its events."""

    name: str
    """`office_medium-chicago-summer-trips`, `...-summer-setpoint`."""
    model: str
    climate: str
    season: str
    run_dir: Path
    """HistoryStore Parquet + run.json + labels.json, as record_run writes them."""
    reference_dir: Path | None
    """The same window without any event (clean), for energy deltas."""
    model_file: Path
    """The IDF/epJSON (for importing the twin graph in memory)."""
    weather_file: Path
    twin_prefix: str
    """`eplus:ASHRAE901_OfficeMedium_STD2019_Denver` (the bundled models are the Denver files,
    whatever the weather)."""
    events: tuple[SimEvent, ...]


@dataclass(frozen=True)
class EventsSpec:
    """What the recorded runs hold (see the module doc); its hash names the cache folder.
    Hours are local standard time, the clock EnergyPlus runs on."""

    seasons: tuple[Season, ...] = (
        Season(name="summer", start="06-23"),
        Season(name="winter", start="01-06"),
    )
    climates: tuple[str, ...] = ("chicago", "miami", "denver")
    """The climates runs may have, in the order the AHUs rotate over (see `rotation`)."""
    year: int = 2025
    history_days: int = 14
    event_days: int = 10
    """Days after the history in which the events fall (weekends and holidays are skipped)."""
    trip_hours: tuple[int, ...] = (8, 11, 13)
    trip_duration_h: float = 4.0
    min_gap_days: int = 2
    setpoint_seasons: tuple[str, ...] = ("summer",)
    setpoint_hours: tuple[int, ...] = (11, 13)
    setpoint_duration_h: float = 3.0
    setpoint_delta_k: float = 2.0

    @property
    def days(self) -> int:
        return self.history_days + self.event_days

    def rotation(self, climate: str, season: str) -> int:
        """Where a run starts in its building's AHUs: trip *i* of the run trips AHU number
        `rotation + i`, the setpoint run acts on AHU number `rotation` (modulo the AHUs). Runs
        step on by one more than their trips, so that AHUs meet different hours (and both
        offices' units all get tripped)."""
        if climate not in self.climates:
            raise InputError(
                f"unknown climate {climate!r}; the spec has {', '.join(self.climates)}",
                entity="climates",
            )
        seasons = [s.name for s in self.seasons]
        run = self.climates.index(climate) * len(seasons) + seasons.index(self.season(season).name)
        return run * (len(self.trip_hours) + 1)

    def season(self, name: str) -> Season:
        for season in self.seasons:
            if season.name == name:
                return season
        raise InputError(
            f"unknown season {name!r}; the spec has {', '.join(s.name for s in self.seasons)}",
            entity="seasons",
        )

    def identity(self, *, energyplus: str) -> dict[str, Any]:
        """Everything that decides what the runs hold."""
        spec = asdict(self)
        spec["seasons"] = [s.model_dump() for s in self.seasons]
        return {"events_version": EVENTS_VERSION, "energyplus_package": energyplus, "spec": spec}


def default_events_dir() -> Path:
    """`$XDG_CACHE_HOME/graphtwin/simulation-events` (by default under `~/.cache`)."""
    return platformdirs.user_cache_path("graphtwin", appauthor=False) / "simulation-events"


# --- the runs -----------------------------------------------------------------------------------


def ensure_event_runs(
    cache_dir: Path | None = None,
    *,
    buildings: tuple[str, ...] = ("office_medium", "office_small"),
    climates: tuple[str, ...] = ("chicago", "miami"),
    seasons: tuple[str, ...] = ("summer", "winter"),
    progress: Progress | None = None,
    spec: EventsSpec | None = None,
) -> list[EventRun]:
    """Every trips and setpoint run of the selection with its events, recording what the cache
    at `cache_dir` (default `default_events_dir()`) lacks for `spec` (default `EventsSpec()`):
    the clean reference first, then the runs with events. `progress` hears one line per run."""
    spec = spec or EventsSpec()
    say = progress or (lambda line: None)
    for climate in climates:
        for season in seasons:
            spec.rotation(climate, season)  # an unknown name is an InputError before any run
    digest = spec_hash(spec.identity(energyplus=energyplus_package_version()))
    out = (cache_dir or default_events_dir()) / digest
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    with _locked(out):
        for building in buildings:
            for climate in climates:
                for season in seasons:
                    plan = _RunPlan(spec, building, climate, season, out, digest)
                    clean = plan.ensure("clean", None, say)
                    variants: list[Variant] = ["trips"]
                    if season in spec.setpoint_seasons:
                        variants.append("setpoint")
                    for variant in variants:
                        events = plan.events(variant, clean)
                        folder = plan.ensure(variant, events, say)
                        runs.append(plan.event_run(variant, folder, clean, events))
    return runs


@dataclass(frozen=True)
class _Planned:
    """An event before it is recorded: its faults-file entries (the first has the event's id,
    the others `<id>.2`, `<id>.3`, ...), and the event as far as it is known before."""

    event: SimEvent
    entries: tuple[dict[str, Any], ...]


@dataclass
class _RunPlan:
    """The runs of one building x climate x season."""

    spec: EventsSpec
    building: str
    climate: str
    season: str
    out: Path
    digest: str
    model: _Model = field(init=False)

    def __post_init__(self) -> None:
        self.model = _model(self.building)

    def dataset_run(self, variant: Variant) -> DatasetRun:
        return DatasetRun(
            name=run_name(self.building, self.climate, self.season, variant),
            building=self.building,
            climate=self.climate,
            season=self.season,
            start=self.spec.season(self.season).start,
            days=self.spec.days,
            year=self.spec.year,
            history_days=self.spec.history_days,
            faulted=variant != "clean",
            seed=0,
        )

    def ensure(self, variant: Variant, events: Sequence[_Planned] | None, say: Progress) -> Path:
        """The run's folder, recorded now unless complete for this spec."""
        run = self.dataset_run(variant)
        folder = self.out / run.name
        if run_status(folder, self.digest) == "complete":
            say(f"{run.name}: cached")
            return folder
        text = None if events is None else _faults_text(run, events)
        marker = record_dataset_run(RecordTask(run, self.out, self.digest, text, None))
        say(f"{run.name}: recorded in {marker['record_wall_s']:.1f} s")
        return folder

    # --- events ---------------------------------------------------------------------------------

    @property
    def time_zone(self) -> timezone:
        return timezone(timedelta(hours=weather_time_zone(resolve_weather(self.climate).path)))

    def candidate_days(self) -> list[date]:
        first = self.dataset_run("clean").window.first_day + timedelta(days=self.spec.history_days)
        days = (first + timedelta(days=i) for i in range(self.spec.event_days))
        return [day for day in days if day.weekday() < 5]

    def events(self, variant: Variant, clean: Path) -> list[_Planned]:
        """The events of the trips or setpoint run, on days the clean run shows fit (see the
        module doc); an InputError when the window has too few."""
        spec, ahus = self.spec, self.model.ahus
        rotation = spec.rotation(self.climate, self.season)
        trips = variant == "trips"
        hours = spec.trip_hours if trips else spec.setpoint_hours
        length = timedelta(hours=spec.trip_duration_h if trips else spec.setpoint_duration_h)
        history = HistoryStore(clean, retention_days=None)
        planned: list[_Planned] = []
        earliest = date.min
        for i, hour in enumerate(hours):
            ahu = ahus[(rotation + (i if trips else 0)) % len(ahus)]
            found = None
            for day in self.candidate_days():
                if day < earliest:
                    continue
                start = datetime.combine(day, time(hour), self.time_zone).astimezone(UTC)
                found = self._event(variant, i + 1, ahu, start, length, history)
                if found is not None:
                    earliest = day + timedelta(days=spec.min_gap_days)
                    break
            if found is None:
                raise InputError(
                    f"no weekday in the {spec.event_days} days after the history has "
                    f"{ahu.name} running from {hour:02d}:00 for {length} after the one before "
                    f"(event {i + 1} of {len(hours)}); give the spec more event_days",
                    entity=self.dataset_run(variant).name,
                )
            planned.append(found)
        return planned

    def _event(
        self,
        variant: Variant,
        number: int,
        ahu: Entity,
        start: datetime,
        length: timedelta,
        clean: HistoryStore,
    ) -> _Planned | None:
        """The event, or None when the clean run shows the AHU's fans not running throughout
        (or a zone's cooling setpoint missing for a timestep)."""
        end = start + length
        for fan_status in self.model.fan_status[ahu.twin_id]:
            if not np.all(_series(clean, fan_status, start, end).to_numpy() > 0.5):
                return None
        zones = self.model.zones[ahu.twin_id]
        if variant == "trips":
            event = SimEvent(
                f"trip-{number}", "trip", ahu.twin_id, start, length.total_seconds(), None, zones
            )
            entry = {"id": event.id, "type": "trip", "target": ahu.twin_id}
            return _Planned(event, (_timed(entry, start, end),))
        delta = self.spec.setpoint_delta_k
        event = SimEvent(
            f"setpoint-{number}",
            "cooling_setpoint",
            ahu.twin_id,
            start,
            length.total_seconds(),
            delta,
            zones,
        )
        clean_setpoints = pd.DataFrame(
            {zone: _series(clean, f"{zone}/cooling-setpoint", start, end) for zone in zones}
        )
        timestep_s = _timestep_s(clean.root)
        steps = round(length.total_seconds() / timestep_s)
        if len(clean_setpoints) != steps or clean_setpoints.isna().any(axis=None):
            return None
        return _Planned(event, _setpoint_entries(event, ahu, clean_setpoints, timestep_s))

    def event_run(
        self, variant: Variant, folder: Path, clean: Path, planned: Sequence[_Planned]
    ) -> EventRun:
        """The recorded run with its events as labels.json has them (start and affected
        zones); a planned event the labels lack, or place elsewhere, is a GraphTwinError."""
        labels = {
            label["id"]: label
            for label in json.loads((folder / LABELS_FILE).read_text(encoding="utf-8"))
        }
        zone = f"{self.model.prefix}/zone/"
        events = []
        for item in planned:
            label = labels.get(item.event.id)
            start = _utc(label["start"]) if label else None
            if label is None or start != item.event.start:
                raise EventRunMismatchError(folder, item.event, label)
            affected = {
                twin_id
                for entry in item.entries
                for twin_id in labels[entry["id"]]["affected"]
                if twin_id.startswith(zone) and "/" not in twin_id[len(zone) :]
            }
            events.append(replace(item.event, affected_zones=tuple(sorted(affected))))
        return EventRun(
            name=folder.name,
            model=self.building,
            climate=self.climate,
            season=self.season,
            run_dir=folder,
            reference_dir=clean,
            model_file=self.model.path,
            weather_file=resolve_weather(self.climate).path,
            twin_prefix=self.model.prefix,
            events=tuple(events),
        )


class EventRunMismatchError(GraphTwinError):
    """A recorded run's labels do not hold the event planned for it (a damaged cache)."""

    def __init__(self, folder: Path, event: SimEvent, label: dict[str, Any] | None) -> None:
        found = "nothing" if label is None else f"a start of {label['start']}"
        super().__init__(
            f"{folder}: labels.json has {found} for {event.id}, planned at "
            f"{event.start.isoformat()}; delete the folder to record it again"
        )


def _faults_text(run: DatasetRun, events: Sequence[_Planned]) -> str:
    header = f"# The what-if benchmark's events for {run.name} (benchmarks/simulation_events.py)\n"
    entries = [entry for item in events for entry in item.entries]
    document = {"graphtwin-faults": 1, "faults": entries}
    return header + yaml.safe_dump(document, sort_keys=False, width=100)


def _setpoint_entries(
    event: SimEvent, ahu: Entity, clean: pd.DataFrame, timestep_s: float
) -> tuple[dict[str, Any], ...]:
    """`setpoint_change` entries that hold every zone at its clean cooling setpoint (columns,
    one row per timestep) plus the event's delta: one entry per stretch of timesteps over which
    no zone's setpoint changes, and per value within it (the small office's thermostats step
    between 23.9 and 24.4 C every hour)."""
    assert event.delta_k is not None
    step = timedelta(seconds=timestep_s)
    stretch = clean.ne(clean.shift()).any(axis=1).cumsum()
    entries = []
    for _, rows in clean.groupby(stretch):
        first, last = rows.index[0].to_pydatetime() - step, rows.index[-1].to_pydatetime()
        setpoints = rows.iloc[0]
        for value, zones in setpoints.groupby(setpoints):
            number = len(entries) + 1
            entry = {
                "id": event.id if number == 1 else f"{event.id}.{number}",
                "type": "setpoint_change",
                "targets": list(zones.index),
                "cooling": round(float(value) + event.delta_k, 3),
                "note": f"{event.id}: the clean cooling setpoint ({float(value):g} C) "
                f"+ {event.delta_k:g} K on the zones of {ahu.name}",
            }
            entries.append(_timed(entry, first, last))
    return tuple(entries)


def _timed(entry: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """The entry from `start` to `end`, written as the faults file takes them."""
    return {
        **entry,
        "start": start.isoformat(),
        "duration": f"{(end - start).total_seconds():.0f}s",
    }


def _series(history: HistoryStore, twin_id: str, start: datetime, end: datetime) -> pd.Series:
    """The values of the timesteps that simulate (start, end] (stamped with their end), by
    time."""
    frame = history.query(twin_id, start=start, end=end + timedelta(seconds=1))  # end: exclusive
    frame = frame[(frame["time"] > start) & (frame["time"] <= end)]
    return pd.Series(frame["value"].to_numpy(dtype=float), index=frame["time"], name=twin_id)


def _timestep_s(folder: Path) -> float:
    """The recorded run's timestep (its run.json)."""
    recorded = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    return float(recorded["timestep_s"])


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- the models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    """What the events need of a bundled model: its AHUs (by name), the fan status points of
    each, and the zones each serves."""

    path: Path
    prefix: str
    ahus: tuple[Entity, ...]
    fan_status: dict[str, tuple[str, ...]]
    zones: dict[str, tuple[str, ...]]


@functools.cache
def _model(building: str) -> _Model:
    choice = resolve_model(building)
    epjson = convert_to_epjson(choice.path)
    prefix = model_prefix(choice.path)
    index = ModelIndex(epjson, observed_points(epjson, prefix=prefix), prefix=prefix)
    ahus, fan_status, zones = [], {}, {}
    for ahu in sorted(index.of_kind("ahu"), key=lambda e: e.name):
        fans, _ = index.ahu_parts(ahu)
        status = tuple(f"{f.twin_id}/status" for f in fans if f"{f.twin_id}/status" in index.points)
        served = tuple(z.twin_id for z in index.served(ahu)[1])
        if status and served:
            ahus.append(ahu)
            fan_status[ahu.twin_id] = status
            zones[ahu.twin_id] = served
    if not ahus:
        raise InputError(f"{building} has no AHU with a fan status and zones", entity=building)
    return _Model(choice.path, prefix, tuple(ahus), fan_status, zones)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold `out/.lock`: two processes never record into one cache at once (the second waits)."""
    with (out / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- what EnergyPlus takes to answer a what-if --------------------------------------------------


def energyplus_scenario_seconds(run: EventRun, event: SimEvent, *, repeats: int = REPEATS) -> float:
    """Wall seconds EnergyPlus needs to answer the same what-if: the event's local day alone,
    with its own warm-up and sizing as EnergyPlus always runs them, with the event applied (its
    entry of the run's faults file); the median of `repeats` runs. Only EnergyPlus is timed
    (`RunStats.wall_s`), not converting the model or checking the faults file."""
    recorded = json.loads((run.run_dir / RUN_FILE).read_text(encoding="utf-8"))
    time_zone = timezone(timedelta(hours=float(recorded["time_zone_h"])))
    day = event.start.astimezone(time_zone).date()
    faults = yaml.safe_load((run.run_dir / FAULTS_FILE).read_text(encoding="utf-8"))
    entries = [e for e in faults["faults"] if e["id"].split(".")[0] == event.id]
    if not entries:
        raise InputError(f"the faults file has no entry {event.id}", entity=str(run.run_dir))
    seconds = []
    with tempfile.TemporaryDirectory(prefix="graphtwin-whatif-") as scratch:
        folder = Path(scratch)
        faults_file = folder / FAULTS_FILE
        faults_file.write_text(yaml.safe_dump({**faults, "faults": entries}), encoding="utf-8")
        request = RunRequest(
            run.model, run.climate, start=f"{day:%m-%d}", days=1, year=day.year, faults=faults_file
        )
        for i in range(repeats):
            prepared = prepare_run(request)  # a fresh fault plan: a plan serves one run
            files = prepared.files(folder / f"run-{i}")
            engine = EnergyPlusEngine(files, prepared.points, _ignore, faults=prepared.faults)
            seconds.append(engine.run().wall_s)
    return statistics.median(seconds)


def _ignore(now: datetime, values: dict[str, float]) -> None:
    """A sink for timing runs: EnergyPlus answers, nothing is kept."""
