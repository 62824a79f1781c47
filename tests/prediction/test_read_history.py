"""Reading what was known at a moment: a value stamped exactly then is part of it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from graphtwin.prediction.read_history import read_known_at
from graphtwin.telemetry.history import HistoryStore

NOW = datetime(2026, 12, 6, 10, 15, tzinfo=UTC)  # on the 15-minute grid


def test_a_value_stamped_exactly_at_now_is_known_and_one_after_it_is_not(tmp_path: Path):
    history = HistoryStore(tmp_path)
    moments = [NOW - timedelta(minutes=15), NOW, NOW + timedelta(microseconds=1)]
    stamps = [int(m.timestamp()) * 1_000_000_000 + m.microsecond * 1_000 for m in moments]
    history.append(["p"] * 3, stamps, [1.0, 2.0, 3.0], ["good"] * 3, ["bms"] * 3)
    history.flush()

    known = read_known_at(history, ["p", "q"], now=NOW, days=1)

    assert known["p"].values.tolist() == [1.0, 2.0]
    assert known["p"].times[-1] == np.datetime64(NOW.replace(tzinfo=None), "ns")
    assert known["q"].values.size == 0


def test_the_window_starts_the_given_number_of_days_before_now(tmp_path: Path):
    history = HistoryStore(tmp_path)
    moments = [NOW - timedelta(days=2, minutes=1), NOW - timedelta(days=2), NOW]
    stamps = [int(m.timestamp()) * 1_000_000_000 for m in moments]
    history.append(["p"] * 3, stamps, [1.0, 2.0, 3.0], ["good"] * 3, ["bms"] * 3)

    assert read_known_at(history, ["p"], now=NOW, days=2)["p"].values.tolist() == [2.0, 3.0]
