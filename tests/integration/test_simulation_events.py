"""The what-if benchmark's EnergyPlus ground truth on a tiny spec: the small office in Miami,
three July days (Tuesday to Thursday), one day of history, one 4 h AHU trip at 11:00 on day 2,
recorded with its clean reference into a temporary cache, then found in the cache again."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pyenergyplus")

from benchmarks.simulation_events import EventRun, EventsSpec, ensure_event_runs
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.datasets import Season
from graphtwin.virtual.models import RunWindow, resolve_weather, weather_time_zone

SPEC = EventsSpec(
    seasons=(Season(name="july", start="07-01"),),
    history_days=1,
    event_days=2,
    trip_hours=(11,),
    setpoint_seasons=(),
)


def _record(cache: Path, lines: list[str]) -> list[EventRun]:
    return ensure_event_runs(
        cache,
        buildings=("office_small",),
        climates=("miami",),
        seasons=("july",),
        spec=SPEC,
        progress=lines.append,
    )


def _during(folder: Path, twin_id: str, start, end) -> np.ndarray:
    frame = HistoryStore(folder, retention_days=None).query(
        twin_id, start=start + timedelta(minutes=15), end=end + timedelta(minutes=1)
    )
    return frame["value"].to_numpy()


def test_a_recorded_trip_lets_its_zone_free_float_and_is_labelled_at_its_start(tmp_path):
    lines: list[str] = []
    runs = _record(tmp_path, lines)
    assert [r.name for r in runs] == ["office_small-miami-july-trips"]
    assert [line.split(":")[0] for line in lines] == [
        "office_small-miami-july-clean",
        "office_small-miami-july-trips",
    ]
    run = runs[0]
    (event,) = run.events
    assert event.kind == "trip" and event.target.startswith(f"{run.twin_prefix}/ahu/")
    assert event.duration_s == 4 * 3600 and event.delta_k is None

    # on day 2 at 11:00 local standard time, as labels.json says
    first, _ = RunWindow.parse("07-01", days=3, year=2025).bounds(
        weather_time_zone(resolve_weather("miami").path)
    )
    assert event.start == first + timedelta(days=1, hours=11)
    labels = json.loads((run.run_dir / "labels.json").read_text())
    assert [(lb["id"], lb["type"], lb["start"]) for lb in labels] == [
        ("trip-1", "trip", event.start.isoformat().replace("+00:00", "Z"))
    ]

    # the zone it serves free-floats in the trip run; in the clean run it is held at setpoint
    assert event.affected_zones and all("/zone/" in z for z in event.affected_zones)
    flows = [a for a in labels[0]["affected"] if a.endswith("/supply-air-flow")]
    assert flows
    for flow in flows:
        assert np.all(_during(run.run_dir, flow, event.start, event.end) < 1e-6)
        assert np.all(_during(run.reference_dir, flow, event.start, event.end) > 0.01)
    for zone in event.affected_zones:
        rise = {}
        for name, folder in (("trip", run.run_dir), ("clean", run.reference_dir)):
            air = _during(folder, f"{zone}/air-temperature", event.start, event.end)
            cooling = _during(folder, f"{zone}/cooling-setpoint", event.start, event.end)
            rise[name] = float(np.max(air - cooling))
        assert rise["trip"] > 1.0 > 0.5 > rise["clean"]

    # found in the cache; a run without its marker (cut short) is recorded again
    lines.clear()
    assert _record(tmp_path, lines) == runs
    assert all(line.endswith(": cached") for line in lines)
    (run.run_dir / "complete.json").unlink()
    lines.clear()
    assert _record(tmp_path, lines) == runs
    assert lines[1].startswith("office_small-miami-july-trips: recorded")
