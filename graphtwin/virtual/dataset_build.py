"""Recording a data set: every run of a `DatasetSpec` into its own folder, cached by spec hash.

`build_datasets(spec, out)` writes

- `out/<run>/`: the recorded run as `record_run` writes it (the history store's Parquet files,
  `run.json`, `labels.json`, `energyplus/`), the faults file it ran with (`faults.yaml`, faulted
  runs only) and `complete.json`, the marker written last: the run, the spec hash, its fault
  counts and what recording it took;
- `out/manifest.json`: the spec with its identity and hash, and every run of the spec with its
  status (`complete`, `stale`: recorded for another spec, `missing`, `failed`), rewritten after
  each run.

A run whose folder has a marker with the same spec hash is not recorded again. The others are
recorded in `jobs` worker processes (EnergyPlus keeps global state, so one run per process at a
time, each with a new EnergyPlus state), into `out/.partial/<run>/` first and moved into place
once complete, so a folder with a marker is always whole. The faults of each faulted run are
generated here, before any run starts (`generate_faults`, seeded with the run's seed), so they
do not depend on which runs `only` selects or in which order they finish.

A failed run does not stop the others; once they are done, `DatasetRunsFailedError` names it.
Ctrl-C stops the running EnergyPlus runs, records nothing more and leaves the completed runs.

>>> report = build_datasets(standard_spec(), default_datasets_dir(), jobs=2)  # doctest: +SKIP
>>> report.recorded, report.cached  # doctest: +SKIP
(24, 0)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import multiprocessing
import shutil
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import graphtwin
from graphtwin.errors import GraphTwinError, InputError, SourceLocation
from graphtwin.virtual.datasets import (
    DatasetRun,
    DatasetSpec,
    RunFaults,
    energyplus_package_version,
    faults_per_run,
    plan_runs,
    planned_fault_totals,
    select_runs,
    spec_hash,
    spec_identity,
)
from graphtwin.virtual.faults import fault_types_for, faults_yaml, generate_faults
from graphtwin.virtual.models import resolve_model, resolve_weather, weather_time_zone
from graphtwin.virtual.record import LABELS_FILE, RUN_FILE
from graphtwin.virtual.runs import prepare_run, record_run
from importers.energyplus import observed_points
from importers.energyplus.ids import model_prefix
from importers.energyplus.runtime import convert_to_epjson

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"
COMPLETE_FILE = "complete.json"
FAULTS_FILE = "faults.yaml"
PARTIAL_DIR = ".partial"
LOCK_FILE = ".lock"
MANIFEST_FORMAT = 1

Status = str
"""`complete`, `stale`, `missing` or `failed` (see the module doc)."""


@dataclass(frozen=True, slots=True)
class DatasetEvent:
    """What `build_datasets` reports as it goes: `cached`, `started` (the runs to record,
    `total` of them), `recorded` or `failed` (`detail`: the error)."""

    kind: str
    run: str | None = None
    done: int = 0
    total: int = 0
    detail: str | None = None


EventSink = Callable[[DatasetEvent], None]


@dataclass
class DatasetReport:
    """How a build went: the manifest it wrote, and what it recorded, took from the cache or
    would record (`dry_run`)."""

    out: Path
    manifest: dict[str, Any]
    recorded: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    wall_s: float = 0.0


class DatasetRunsFailedError(GraphTwinError):
    """Runs of a data set failed (the others were recorded); names each with its error."""

    def __init__(self, failures: dict[str, BaseException], manifest: Path) -> None:
        shown = "; ".join(f"{name}: {exc}" for name, exc in list(failures.items())[:3])
        more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
        super().__init__(
            f"{len(failures)} run(s) of the data set failed ({shown}{more}); see {manifest}"
        )
        self.failures = failures


class DatasetBusyError(GraphTwinError):
    """Another build is writing into the same folder."""

    def __init__(self, out: Path) -> None:
        super().__init__(f"another data-set build is writing into {out}; wait for it to end")


@dataclass(frozen=True, slots=True)
class RecordTask:
    """One run for a worker process (pickled to it)."""

    run: DatasetRun
    out: Path
    spec_hash: str
    faults_yaml: str | None
    faults: RunFaults | None


# --- the build ----------------------------------------------------------------------------------


def build_datasets(
    spec: DatasetSpec,
    out: Path,
    *,
    jobs: int = 1,
    only: Sequence[str] = (),
    dry_run: bool = False,
    on_event: EventSink | None = None,
) -> DatasetReport:
    """Record the runs of `spec` that `only` selects (all without it) into `out`, skipping
    those already complete for this spec (see the module doc). `dry_run` writes nothing and
    reports which runs would be recorded."""
    if jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {jobs}", entity="--jobs")
    started = time.monotonic()
    emit = on_event or (lambda event: None)
    runs = plan_runs(spec)
    selected = select_runs(runs, only)
    check_names(spec)
    identity = spec_identity(spec, energyplus=energyplus_package_version())
    digest = spec_hash(identity)
    report = DatasetReport(out, {})
    pending = []
    for run in selected:
        if run_status(out / run.name, digest) == "complete":
            report.cached.append(run.name)
            emit(DatasetEvent("cached", run.name))
        else:
            pending.append(run)
    report.pending = [run.name for run in pending]
    per_run: dict[str, RunFaults] = {}
    if any(r.faulted for r in runs):
        known = None if dry_run or any(r.faulted for r in pending) else _known_plan(out, digest)
        per_run = known if known is not None else _fault_plan(spec)
    planned = planned_fault_totals(spec, per_run) if per_run else {}
    if dry_run:
        report.manifest = manifest(out, runs, identity, digest, planned, per_run, {})
        report.wall_s = time.monotonic() - started
        return report
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        tasks = [RecordTask(run, out, digest, *_faults_of(run, per_run)) for run in pending]
        failures: dict[str, BaseException] = {}

        def write_manifest() -> None:
            report.manifest = manifest(out, runs, identity, digest, planned, per_run, failures)
            _write_json(out / MANIFEST_FILE, report.manifest)

        emit(DatasetEvent("started", total=len(tasks)))
        for run_name, error in _record_all(tasks, jobs, emit, write_manifest):
            if error is None:
                report.recorded.append(run_name)
            else:
                failures[run_name] = error
        write_manifest()
        shutil.rmtree(out / PARTIAL_DIR, ignore_errors=True)
    report.wall_s = time.monotonic() - started
    if failures:
        raise DatasetRunsFailedError(failures, out / MANIFEST_FILE) from next(
            iter(failures.values())
        )
    return report


def check_names(spec: DatasetSpec) -> None:
    """Every building and climate of the spec is one EnergyPlus bundles; an InputError names the
    first that is not, with the valid names."""
    for section, names, resolve in (
        ("buildings", spec.buildings, resolve_model),
        ("climates", spec.climates, resolve_weather),
    ):
        for name in names:
            try:
                resolve(name)
            except InputError as exc:
                raise InputError(exc.reason, entity=f"{section}: {name}") from exc


def _record_all(
    tasks: list[RecordTask], jobs: int, emit: EventSink, after_each: Callable[[], None]
) -> Iterator[tuple[str, BaseException | None]]:
    """Record the tasks in `jobs` processes; yields each run's name with its error (None when
    it was recorded) as it finishes. Ctrl-C cancels the runs not started and waits for the
    running ones to stop."""
    if not tasks:
        return
    context = multiprocessing.get_context("spawn")  # nothing of this process's state carried
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_ignore_ctrl_c
    )
    try:
        futures: dict[Future[dict[str, Any]], RecordTask] = {
            pool.submit(record_dataset_run, task): task for task in tasks
        }
        for done, future in enumerate(as_completed(futures), start=1):
            name = futures[future].run.name
            try:
                future.result()
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # this run failed; the others go on (raised at the end)
                emit(DatasetEvent("failed", name, done, len(tasks), str(exc)))
                after_each()
                yield name, exc
                continue
            emit(DatasetEvent("recorded", name, done, len(tasks)))
            after_each()
            yield name, None
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        after_each()
        raise
    pool.shutdown(wait=True)


def _faults_of(
    run: DatasetRun, per_run: dict[str, RunFaults]
) -> tuple[str | None, RunFaults | None]:
    if not run.faulted:
        return None, None
    plan = per_run[run.building]
    return faults_file_text(run, plan), plan


# --- faults -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Building:
    epjson: dict[str, Any]
    points: list[Any]


_BUILDINGS: dict[str, _Building] = {}


def _building(name: str) -> _Building:
    """A building's model as EnergyPlus converts it and its observed points (kept per process:
    every faulted run of a building asks)."""
    if name not in _BUILDINGS:
        model = resolve_model(name)
        epjson = convert_to_epjson(model.path)
        points = observed_points(epjson, prefix=model_prefix(model.path))
        _BUILDINGS[name] = _Building(epjson, points)
    return _BUILDINGS[name]


def _known_plan(out: Path, digest: str) -> dict[str, RunFaults] | None:
    """The fault plan the manifest of `out` holds for the spec with this hash (so that a build
    with nothing to record converts no model), or None."""
    path = out / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        if previous.get("spec_hash") != digest:
            return None
        return {
            building: RunFaults(tuple(plan["kinds"]), int(plan["count_per_kind"]))
            for building, plan in previous["faults_per_run"].items()
        }
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s is damaged (%s); it is written again", path, exc)
        return None


def _fault_plan(spec: DatasetSpec) -> dict[str, RunFaults]:
    """What each building's faulted runs get (`faults_per_run` over what each model has)."""
    types = {}
    for name in spec.buildings:
        building = _building(name)
        types[name] = fault_types_for(building.epjson, building.points)
    return faults_per_run(spec, types)


def faults_file_text(run: DatasetRun, plan: RunFaults) -> str:
    """The faults file of a faulted run: `plan.count` faults of each of `plan.kinds`, at
    seeded random times and places after the run's history (`generate_faults`)."""
    building = _building(run.building)
    time_zone_h = weather_time_zone(resolve_weather(run.climate).path)
    start, end = run.window.bounds(time_zone_h)
    try:
        entries = generate_faults(
            building.epjson,
            building.points,
            kinds=plan.kinds,
            count_per_kind=plan.count,
            start=start,
            end=end,
            seed=run.seed,
            min_history=run.history,
            time_zone_h=time_zone_h,
        )
    except ValueError as exc:  # the window has no room for the faults asked for
        raise InputError(
            f"cannot place {plan.count} fault(s) of each of {len(plan.kinds)} type(s) in "
            f"{run.days - run.history_days} day(s) after the history: {exc}",
            entity=run.name,
        ) from exc
    header = (
        f"# Generated by graphtwin {graphtwin.__version__} for the data-set run {run.name}\n"
        f"# (seed {run.seed}; {plan.count} of each type; none before day {run.history_days}).\n"
    )
    return header + faults_yaml(entries)


# --- one run, in a worker process ---------------------------------------------------------------


def _ignore_ctrl_c() -> None:
    """Worker processes ignore Ctrl-C while idle; `record_dataset_run` listens to it while a
    run goes, so that EnergyPlus stops cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def record_dataset_run(task: RecordTask) -> dict[str, Any]:
    """Record one run into `out/.partial/<run>`, then move it to `out/<run>` with its marker
    (see the module doc); returns the marker."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        started = time.monotonic()
        run = task.run
        staging = task.out / PARTIAL_DIR / run.name
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        faults_path = None
        if task.faults_yaml is not None:
            faults_path = staging / FAULTS_FILE
            faults_path.write_text(task.faults_yaml, encoding="utf-8")
        folder = staging / "run"
        stats = record_run(prepare_run(run.request(faults_path)), folder)
        if faults_path is not None:
            faults_path.rename(folder / FAULTS_FILE)
            _point_run_at_faults_file(folder / RUN_FILE)
        labels = json.loads((folder / LABELS_FILE).read_text(encoding="utf-8"))
        marker = {
            "spec_hash": task.spec_hash,
            "run": run.as_dict(),
            "faults": _count_types(labels),
            "faults_per_type_planned": task.faults.count if task.faults else 0,
            "timesteps": stats.timesteps,
            "energyplus_version": stats.energyplus_version,
            "record_wall_s": round(time.monotonic() - started, 3),
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "graphtwin_version": graphtwin.__version__,
        }
        marker["bytes"] = folder_bytes(folder)
        _write_json(folder / COMPLETE_FILE, marker)
        final = task.out / run.name
        if final.exists():
            shutil.rmtree(final)
        folder.rename(final)
        shutil.rmtree(staging)
        return marker
    finally:
        signal.signal(signal.SIGINT, previous)


def _point_run_at_faults_file(run_file: Path) -> None:
    """`run.json` names the faults file it ran with; it now lies beside it."""
    run = json.loads(run_file.read_text(encoding="utf-8"))
    run["faults_file"] = FAULTS_FILE
    _write_json(run_file, run)


def _count_types(labels: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label["type"]] = counts.get(label["type"], 0) + 1
    return dict(sorted(counts.items()))


# --- markers and manifest -----------------------------------------------------------------------


def read_marker(folder: Path) -> dict[str, Any] | None:
    """A run folder's `complete.json`, or None when the run is not complete. A marker that is
    not JSON is an InputError naming it (the cache is damaged: delete the folder)."""
    path = folder / COMPLETE_FILE
    if not path.is_file():
        return None
    try:
        marker: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"not a data-set marker ({exc}); delete the run's folder to record it again",
            location=SourceLocation(str(path)),
        ) from exc
    return marker


def run_status(folder: Path, digest: str) -> Status:
    """`complete` (recorded for the spec with this hash), `stale` (for another) or `missing`."""
    marker = read_marker(folder)
    if marker is None:
        return "missing"
    return "complete" if marker.get("spec_hash") == digest else "stale"


def manifest(
    out: Path,
    runs: Sequence[DatasetRun],
    identity: dict[str, Any],
    digest: str,
    planned: dict[str, int],
    per_run: dict[str, RunFaults],
    failures: dict[str, BaseException],
) -> dict[str, Any]:
    """The manifest of `out` (see the module doc): what the spec asks for, and what is there."""
    entries = []
    totals: dict[str, int] = dict.fromkeys(planned, 0)
    for run in runs:
        folder = out / run.name
        status = "failed" if run.name in failures else run_status(folder, digest)
        entry: dict[str, Any] = {**run.as_dict(), "folder": run.name, "status": status}
        marker = read_marker(folder) if status == "complete" else None
        if marker is not None:
            for kind, count in marker["faults"].items():
                totals[kind] = totals.get(kind, 0) + count
            entry.update({k: marker[k] for k in ("faults", "timesteps", "bytes", "record_wall_s")})
            entry["recorded_at"] = marker["recorded_at"]
        if run.name in failures:
            entry["error"] = str(failures[run.name])
        entries.append(entry)
    complete = [e for e in entries if e["status"] == "complete"]
    return {
        "graphtwin-datasets-manifest": MANIFEST_FORMAT,
        "spec_hash": digest,
        "identity": identity,
        "faults_per_run": {
            b: {"kinds": list(p.kinds), "count_per_kind": p.count} for b, p in per_run.items()
        },
        "fault_totals_planned": planned,
        "fault_totals_recorded": totals,
        "runs_complete": len(complete),
        "runs_total": len(entries),
        "bytes": sum(e.get("bytes", 0) for e in complete),
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": entries,
    }


def folder_bytes(folder: Path) -> int:
    """The size of every file under `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _write_json(path: Path, payload: Any) -> None:
    """Write JSON atomically (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold `out/.lock` for the build; another build into `out` gets DatasetBusyError."""
    with (out / LOCK_FILE).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DatasetBusyError(out) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
