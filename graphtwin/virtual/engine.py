"""EnergyPlus running as a building: observed values every zone timestep, faults acting on it.

`EnergyPlusEngine` runs one model through EnergyPlus's runtime API, in the calling thread
(`run`) or a worker thread (`start`, `wait`). Before the run it requests every observed
variable; once EnergyPlus's API data is ready it resolves a handle for each point, meter and
fault actuator (a missing one is a typed error naming it). Then, for every zone timestep of the
run period (never sizing or warmup days):

- at the start of each system timestep, and again after EnergyPlus's HVAC managers (which
  overwrite node setpoints and air-loop availability), the faults' actuations are set (None
  releases one; see `hooks`);
- at the end of the zone timestep, after EnergyPlus's own reporting, the points are read,
  transformed (`on_off`: 1.0 above zero, else 0.0), passed through `FaultHooks.served` and
  handed to the sink as `on_sample(now, {twin_id: value})`, `now` being the end of the timestep
  as an aware UTC datetime.

Meters give joules per zone timestep. A meter point whose unit is `W` (or `kW`) is served as the
mean power over the timestep (J / timestep seconds); any other meter unit is served as the
joules EnergyPlus gives.

`pace` keeps the run at a speed (`Pace(600)`: ten simulated minutes a wall second) by waiting
before each timestep is handed on; without it the run goes as fast as possible.

`stop()` ends EnergyPlus at its next timestep (`stop_simulation`); the run then ends normally
with `stats.stopped` set. EnergyPlus failing before its API data is ready is a rejection of the
model (`EnergyPlusRejectedError`, exit 2); failing after is `VirtualBuildingCrashedError`.
Both quote EnergyPlus's severe lines; samples already handed to the sink stay handed.

>>> engine = EnergyPlusEngine(files, points, on_sample=print, pace=Pace(600))  # doctest: +SKIP
>>> engine.run().timesteps  # doctest: +SKIP
192
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphtwin.virtual.clock import Pace, sim_moment
from graphtwin.virtual.errors import (
    UnknownActuatorError,
    UnknownVariableError,
    VirtualBuildingCrashedError,
)
from graphtwin.virtual.hooks import ActuatorRef, FaultHooks, NoFaults
from importers.energyplus.observed import ObservedPoint
from importers.energyplus.runtime import EnergyPlusRejectedError, energyplus_api, severe_lines

log = logging.getLogger(__name__)

SampleSink = Callable[[datetime, dict[str, float]], None]
"""Takes each served timestep: its end as an aware UTC datetime, and the values by twin id."""

RUN_PERIOD_WEATHER = 3
"""EnergyPlus's `KindOfSim::RunPeriodWeather`: a weather-file run period (not a sizing day)."""

_VERSION = re.compile(r"Program Version,EnergyPlus, Version ([^\s,]+)")
_POWER_UNITS = {"W": 1.0, "kW": 1000.0}


@dataclass(frozen=True, slots=True)
class RunFiles:
    """What EnergyPlus runs: the run's model (see `models.write_run_model`), the weather, the
    folder it writes `eplusout.err` into, and the site's time zone (hours from UTC)."""

    model: Path
    weather: Path
    folder: Path
    time_zone_h: float


@dataclass
class RunStats:
    """How a run went. `timesteps_per_s` counts served timesteps over the wall time from the
    first run-period timestep to the last (sizing and warmup excluded); `wall_s` is all of it."""

    timesteps: int = 0
    first_sample: datetime | None = None
    last_sample: datetime | None = None
    wall_s: float = 0.0
    served_wall_s: float = 0.0
    stopped: bool = False
    energyplus_version: str | None = None

    @property
    def timesteps_per_s(self) -> float | None:
        if self.timesteps == 0 or self.served_wall_s <= 0:
            return None
        return self.timesteps / self.served_wall_s

    def as_dict(self) -> dict[str, Any]:
        rate = self.timesteps_per_s
        return {
            "timesteps": self.timesteps,
            "first_sample": self.first_sample.isoformat() if self.first_sample else None,
            "last_sample": self.last_sample.isoformat() if self.last_sample else None,
            "wall_s": round(self.wall_s, 3),
            "served_wall_s": round(self.served_wall_s, 3),
            "timesteps_per_s": None if rate is None else round(rate, 1),
            "stopped": self.stopped,
            "energyplus_version": self.energyplus_version,
        }


@dataclass
class _Handles:
    points: list[tuple[ObservedPoint, int]] = field(default_factory=list)
    actuators: dict[ActuatorRef, int] = field(default_factory=dict)


def served_value(point: ObservedPoint, raw: float, timestep_s: float) -> float:
    """What a point serves for EnergyPlus's `raw` value (see the module doc on meters).

    >>> from importers.energyplus.observed import ObservedPoint
    >>> meter = ObservedPoint("m", "m", "b", "Electric_Power_Sensor", "W", "Electricity:Facility",
    ...                       "", meter=True)
    >>> served_value(meter, 900_000.0, 900.0)
    1000.0
    """
    value = raw
    if point.meter and point.unit in _POWER_UNITS:
        value = raw / timestep_s / _POWER_UNITS[point.unit]
    if point.transform == "on_off":
        value = 1.0 if value > 0 else 0.0
    return value


class EnergyPlusEngine:
    """One EnergyPlus run serving `points` to `on_sample` (see the module doc)."""

    def __init__(
        self,
        files: RunFiles,
        points: Sequence[ObservedPoint],
        on_sample: SampleSink,
        *,
        faults: FaultHooks | None = None,
        pace: Pace | None = None,
    ) -> None:
        self.files = files
        self.points = list(points)
        self.on_sample = on_sample
        self.faults: FaultHooks = faults if faults is not None else NoFaults()
        self.pace = pace if pace is not None else Pace(None)
        self.stats = RunStats()
        self._stop = threading.Event()
        self._api: Any = None
        self._handles: _Handles | None = None
        self._error: BaseException | None = None
        self._ready = False
        self._served_since: float | None = None
        self._thread: threading.Thread | None = None
        self._outcome: BaseException | None = None

    # --- control --------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask EnergyPlus to stop at its next timestep (from any thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        """Run in a worker thread; `wait` joins it and raises what the run raised."""
        if self._thread is not None:
            raise RuntimeError("this engine has already been started")
        self._thread = threading.Thread(target=self._run_in_thread, name="energyplus")
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> RunStats | None:
        """The run's stats once its thread has ended (None if still running after `timeout`
        seconds); raises what the run raised."""
        if self._thread is None:
            raise RuntimeError("the engine has not been started")
        self._thread.join(timeout)
        if self._thread.is_alive():
            return None
        if self._outcome is not None:
            raise self._outcome
        return self.stats

    def _run_in_thread(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # handed to the thread that calls wait(), raised there
            self._outcome = exc

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> RunStats:
        """Run EnergyPlus to the end of the run period (or `stop()`), in this thread."""
        api = self._api = energyplus_api()
        self.files.folder.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        state = api.state_manager.new_state()
        try:
            api.runtime.set_console_output_status(state, False)
            for point in self.points:
                if not point.meter:
                    api.exchange.request_variable(state, point.variable, point.key)
            actuate = self._guarded(self._actuate)
            api.runtime.callback_begin_system_timestep_before_predictor(state, actuate)
            api.runtime.callback_after_predictor_after_hvac_managers(state, actuate)
            api.runtime.callback_end_zone_timestep_after_zone_reporting(
                state, self._guarded(self._end_zone_timestep)
            )
            arguments = ["-d", str(self.files.folder), "-w", str(self.files.weather)]
            code = api.runtime.run_energyplus(state, [*arguments, str(self.files.model)])
        finally:
            api.state_manager.delete_state(state)
            self.stats.wall_s = time.monotonic() - started
        err_file = self.files.folder / "eplusout.err"
        self.stats.energyplus_version = _version(err_file)
        if self._error is not None:
            raise self._error
        self.stats.stopped = self._stop.is_set()
        if code != 0 and not self.stats.stopped:
            lines = severe_lines(err_file)
            if not self._ready:
                raise EnergyPlusRejectedError(self.files.model, lines)
            raise VirtualBuildingCrashedError(err_file, lines, timesteps=self.stats.timesteps)
        return self.stats

    def _guarded(self, step: Callable[[Any], None]) -> Callable[[Any], None]:
        """A callback for EnergyPlus: an exception cannot cross into C, so it is kept (and
        raised by `run` once EnergyPlus has stopped) and EnergyPlus is told to stop."""

        def callback(state: Any) -> None:
            if self._error is not None:
                return
            try:
                step(state)
            except Exception as exc:  # raised again by run() once EnergyPlus has returned
                self._error = exc
                self._api.runtime.stop_simulation(state)

        return callback

    def _serving(self, state: Any) -> bool:
        """Whether this timestep is one to act on: not stopping, API data ready (handles
        resolved), a weather-file run period, not a warmup day."""
        exchange = self._api.exchange
        if self._stop.is_set():
            self._api.runtime.stop_simulation(state)
            return False
        if not exchange.api_data_fully_ready(state):
            return False
        if self._handles is None:
            self._ready = True
            self._handles = self._resolve(state)
        return not exchange.warmup_flag(state) and (
            exchange.kind_of_sim(state) == RUN_PERIOD_WEATHER
        )

    def _actuate(self, state: Any) -> None:
        if not self._serving(state):
            return
        if self._served_since is None:
            self._served_since = time.monotonic()
        assert self._handles is not None
        actuators = self._handles.actuators
        if not actuators:
            return
        exchange = self._api.exchange
        for ref, value in self.faults.actuations(self._now(state)):
            handle = actuators.get(ref)
            if handle is None:
                raise UnknownActuatorError(self.files.model, [_describe(ref)])
            if value is None:
                exchange.reset_actuator(state, handle)
            else:
                exchange.set_actuator_value(state, handle, value)

    def _end_zone_timestep(self, state: Any) -> None:
        if not self._serving(state):
            return
        assert self._handles is not None
        exchange = self._api.exchange
        now = self._now(state)
        timestep_s = exchange.zone_time_step(state) * 3600.0
        values: dict[str, float] = {}
        for point, handle in self._handles.points:
            if point.meter:
                raw = exchange.get_meter_value(state, handle)
            else:
                raw = exchange.get_variable_value(state, handle)
            values[point.twin_id] = served_value(point, raw, timestep_s)
        served = self.faults.served(now, values)
        self.pace.wait(now, self._stop)
        if self._stop.is_set():
            self._api.runtime.stop_simulation(state)
            return
        self.on_sample(now, served)
        stats = self.stats
        stats.timesteps += 1
        stats.first_sample = stats.first_sample or now
        stats.last_sample = now
        stats.served_wall_s = time.monotonic() - (self._served_since or time.monotonic())

    def _now(self, state: Any) -> datetime:
        exchange = self._api.exchange
        return sim_moment(
            exchange.calendar_year(state),
            exchange.month(state),
            exchange.day_of_month(state),
            exchange.hour(state),
            exchange.minutes(state),
            time_zone_h=self.files.time_zone_h,
        )

    # --- handles --------------------------------------------------------------------------------

    def _resolve(self, state: Any) -> _Handles:
        exchange = self._api.exchange
        handles = _Handles()
        missing: list[tuple[str, str, str]] = []
        first_meter: str | None = None
        for point in self.points:
            if point.meter:
                handle = exchange.get_meter_handle(state, point.variable)
                if handle == -1:
                    if first_meter is None:
                        first_meter = _first_meter(exchange.get_api_data(state))
                    # EnergyPlus 25.2's getMeterHandle answers -1 for the meter at index 0
                    # (Electricity:Facility), which getMeterValue reads as handle 0.
                    if first_meter is not None and first_meter.upper() == point.variable.upper():
                        handle = 0
            else:
                handle = exchange.get_variable_handle(state, point.variable, point.key)
            if handle == -1:
                missing.append((point.twin_id, point.variable, point.key))
            else:
                handles.points.append((point, handle))
        if missing:
            raise UnknownVariableError(self.files.model, missing)
        unknown: list[str] = []
        for ref in self.faults.actuators():
            handle = exchange.get_actuator_handle(
                state, ref.component_type, ref.control_type, ref.key
            )
            if handle == -1:
                unknown.append(_describe(ref))
            else:
                handles.actuators[ref] = handle
        if unknown:
            raise UnknownActuatorError(self.files.model, unknown)
        log.info(
            "resolved %d point(s), %d actuator(s)", len(handles.points), len(handles.actuators)
        )
        return handles


def _first_meter(api_data: Sequence[Any]) -> str | None:
    return next((item.key for item in api_data if item.what == "OutputMeter"), None)


def _describe(ref: ActuatorRef) -> str:
    return f"{ref.component_type} / {ref.control_type} / {ref.key}"


def _version(err_file: Path) -> str | None:
    """EnergyPlus's version from the first line of its `eplusout.err`."""
    try:
        with err_file.open(encoding="utf-8", errors="replace") as handle:
            match = _VERSION.search(handle.readline())
    except FileNotFoundError:
        return None
    return match.group(1) if match else None


def collect(into: list[tuple[datetime, dict[str, float]]]) -> SampleSink:
    """A sink that keeps every sample in `into` (for tests, scripts and notebooks).

    >>> samples: list[tuple[datetime, dict[str, float]]] = []
    >>> engine = EnergyPlusEngine(files, points, collect(samples))  # doctest: +SKIP
    """

    def keep(now: datetime, values: dict[str, float]) -> None:
        into.append((now, dict(values)))

    return keep
