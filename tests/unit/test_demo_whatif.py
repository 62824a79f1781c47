"""The demo's what-if, without a database: its history in the office's clock, and its scenario."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from graphtwin.cli.demo_virtual import StoryPace
from graphtwin.cli.demo_whatif import held_at_every_moment, load_whatif, office_history
from graphtwin.simulation.interventions import Outage
from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.faults.spec import FaultsFile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = datetime(2025, 7, 7, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _pace() -> StoryPace:
    pace = StoryPace(3600, [(START + 33 * HOUR, START + 38 * HOUR, 900),
                            (START + 38 * HOUR, START + 168 * HOUR, 7200)])  # fmt: skip
    pace.served_at(START)  # the first moment served anchors the pace
    return pace


def _ns(moments: list[datetime]) -> np.ndarray:
    return np.array([int(m.timestamp() * 1e9) for m in moments], dtype=np.int64)


def test_the_simulated_moment_of_a_served_time_inverts_the_pace_in_and_out_of_slow_motion():
    pace = _pace()
    moments = [START + k * timedelta(minutes=15) for k in range(0, 50 * 4)]  # through the trip
    served = _ns([pace.served_at(m) for m in moments])
    back = pace.simulated_ns(served)
    # served times are microseconds, so a simulated moment comes back within speed x 1 us
    assert np.abs(back - _ns(moments)).max() < 7200 * 1_000 + 1_000


def test_a_value_reported_once_is_held_until_it_changes_and_not_before_it_was_first_seen():
    times = pd.to_datetime(
        ["2025-07-07 00:15", "2025-07-07 00:15", "2025-07-07 00:30", "2025-07-07 00:45",
         "2025-07-07 00:45", "2025-07-07 01:00"], utc=True,
    )  # fmt: skip
    rows = pd.DataFrame(
        {
            "twin_id": ["t", "fan", "t", "t", "coil", "t"],
            "time": times,
            "value": [20.0, 1.0, 20.5, 21.0, 0.0, 21.5],
            "quality": "good",
            "source": "office",
        }
    )
    held = held_at_every_moment(rows)
    fan = held[held["twin_id"] == "fan"]
    coil = held[held["twin_id"] == "coil"]
    assert fan["value"].tolist() == [1.0] * 4  # reported at 00:15 only, held at every moment
    assert coil["time"].min() == pd.Timestamp("2025-07-07 00:45", tz="UTC")  # none before
    assert held[held["twin_id"] == "t"]["value"].tolist() == [20.0, 20.5, 21.0, 21.5]


def test_the_office_history_is_copied_in_the_office_clock_up_to_the_trip(tmp_path: Path):
    pace = _pace()
    served = HistoryStore(tmp_path / "served", retention_days=None)
    moments = [START + k * timedelta(minutes=15) for k in range(1, 40 * 4)]
    stamps = [pace.served_at(m) for m in moments]
    served.append(
        ["zone/t"] * len(moments),
        _ns(stamps).tolist(),
        [20.0 + k / 100 for k in range(len(moments))],
        ["good"] * len(moments),
        ["office"] * len(moments),
    )
    trip = START + 33 * HOUR
    copy = office_history(
        served,
        ["zone/t"],
        since=pace.served_at(START),
        until=pace.served_at(trip),
        to_simulated=pace.simulated_ns,
        root=tmp_path / "copy",
    )
    rows = copy.query("zone/t")
    assert rows["time"].iloc[0] == pd.Timestamp(moments[0])  # restamped, to the second
    assert rows["time"].iloc[-1] == pd.Timestamp(trip)  # the trip's moment, nothing after it
    assert len(rows) == moments.index(trip) + 1
    assert copy.days()  # flushed, for `graphtwin simulate --history`


def test_the_demo_scenario_trips_the_unit_the_faults_file_trips_when_it_trips():
    scenario = load_whatif(EXAMPLES)
    text = (EXAMPLES / "office-medium-faults.yaml").read_text(encoding="utf-8")
    [fault] = FaultsFile.model_validate(yaml.safe_load(text)).faults
    [trip] = scenario.interventions
    assert isinstance(trip, Outage) and trip.type == "trip"
    assert trip.target.rsplit("/", 1)[-1] == fault.target
    assert scenario.start is not None
    assert scenario.start.strftime("%m-%d %H:%M") == fault.start
    assert scenario.start.utcoffset() == timedelta(hours=-7)  # Denver standard time
    assert [variant.name for variant in scenario.variants()] == [
        "inaction",
        "raise other floors' airflow",
        "relax unoccupied setpoints",
        "send the middle floor home",
    ]
