"""EnergyPlus's clock as UTC moments, and the pace a virtual building keeps on the wall clock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.virtual.clock import Pace, sim_moment

JULY_1 = datetime(2025, 7, 1, 7, 15, tzinfo=UTC)


def test_a_timestep_ending_at_midnight_is_the_next_day_in_utc():
    assert sim_moment(2025, 12, 31, 23, 60, time_zone_h=-7.0) == datetime(2026, 1, 1, 7, tzinfo=UTC)
    assert sim_moment(2025, 7, 1, 0, 15, time_zone_h=5.5) == datetime(
        2025, 6, 30, 18, 45, tzinfo=UTC
    )


def test_as_fast_as_possible_serves_the_simulated_moment_itself_and_never_waits():
    pace = Pace(None)
    later = JULY_1 + timedelta(days=30)
    started = time.monotonic()
    pace.wait(JULY_1, threading.Event())
    pace.wait(later, threading.Event())
    assert time.monotonic() - started < 0.05
    assert pace.served_at(later) == later


def test_a_speed_maps_simulated_time_onto_the_wall_clock_from_the_first_moment():
    pace = Pace(600)
    before = datetime.now(UTC)
    first = pace.served_at(JULY_1)
    assert before <= first <= datetime.now(UTC)
    # ten simulated minutes are one wall second at 600x
    assert pace.served_at(JULY_1 + timedelta(minutes=10)) - first == timedelta(seconds=1)


def test_waiting_keeps_the_pace_and_a_stop_ends_the_wait_at_once():
    pace = Pace(3600)  # an hour a second
    stop = threading.Event()
    pace.wait(JULY_1, stop)  # anchors
    started = time.monotonic()
    pace.wait(JULY_1 + timedelta(minutes=15), stop)
    assert 0.2 <= time.monotonic() - started < 0.6

    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    pace.wait(JULY_1 + timedelta(hours=10), stop)  # ten seconds away
    assert time.monotonic() - started < 1.0


def test_a_speed_must_be_positive():
    with pytest.raises(ValueError, match="above 0"):
        Pace(0)
