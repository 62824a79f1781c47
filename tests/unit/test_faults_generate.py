"""Faults at seeded random times and places for evaluation data sets, written as a faults file
that `load_faults` reads back (the model is test_faults_model.py's; no EnergyPlus)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from graphtwin.virtual.faults import (
    FAULT_TYPES,
    fault_types_for,
    faults_yaml,
    generate_faults,
    write_faults,
)
from graphtwin.virtual.faults.spec import EQUIPMENT_TYPES
from tests.unit.test_faults_file import DENVER, load
from tests.unit.test_faults_model import tiny_model, tiny_points

START = datetime(2025, 7, 1, tzinfo=DENVER)
END = START + timedelta(weeks=6)


def generate(**options):
    arguments = dict(kinds=FAULT_TYPES, count_per_kind=3, start=START, end=END, seed=11)
    return generate_faults(tiny_model(), tiny_points(), **{**arguments, **options})


def test_generated_faults_read_back_through_load_faults(tmp_path):
    entries = generate()
    write_faults(tmp_path / "faults.yaml", entries)
    plan = load(
        tmp_path,
        (tmp_path / "faults.yaml").read_text(),
        start=START,
        end=END,
    )
    labels = plan.labels()
    assert Counter(label["type"] for label in labels) == dict.fromkeys(FAULT_TYPES, 3)
    assert [label["id"] for label in labels] == [entry.id for entry in entries]
    for label, entry in zip(labels, entries, strict=True):
        assert label["targets"] == entry.target_names
    assert len({tuple(label["targets"]) for label in labels if label["type"] == "offset"}) > 1


def test_the_same_seed_gives_the_same_faults_and_another_seed_others():
    assert faults_yaml(generate()) == faults_yaml(generate())
    assert faults_yaml(generate()) != faults_yaml(generate(seed=12))


def test_timed_faults_start_after_the_history_end_in_the_run_and_keep_apart(tmp_path):
    write_faults(tmp_path / "faults.yaml", generate())
    plan = load(tmp_path, (tmp_path / "faults.yaml").read_text(), start=START, end=END)
    timed = sorted((f for f in plan.faults if f.type != "mislabel"), key=lambda fault: fault.start)
    assert len(timed) == 30
    assert timed[0].start >= START + timedelta(days=14)
    assert timed[-1].end <= END
    for before, after in pairwise(timed):
        assert before.end + timedelta(hours=2) <= after.start
    for fault in timed:
        assert timedelta(hours=1) <= fault.end - fault.start <= timedelta(hours=8)
        assert (fault.start - START) % timedelta(minutes=15) == timedelta(0)
        if fault.type in EQUIPMENT_TYPES:  # while the building runs: weekdays, 08:00-17:00
            first, last = fault.start.astimezone(DENVER), fault.end.astimezone(DENVER)
            assert first.weekday() < 5 and first.date() == last.date()
            assert first.hour >= 8 and (last.hour, last.minute) <= (17, 0)
    assert any(f.start.astimezone(DENVER).hour < 8 for f in timed)  # sensors fail any time
    mislabels = [f for f in plan.faults if f.type == "mislabel"]
    assert {(f.start, f.end) for f in mislabels} == {(START.astimezone(UTC), END.astimezone(UTC))}


def test_generated_starts_carry_the_sites_offset():
    (entry,) = generate(kinds=["trip"], count_per_kind=1)
    assert entry.start.endswith("-07:00")
    (entry,) = generate(kinds=["trip"], count_per_kind=1, time_zone_h=-5)
    assert entry.start.endswith("-05:00")


def test_a_window_too_short_for_the_faults_is_refused():
    with pytest.raises(ValueError, match="no free time"):
        generate(end=START + timedelta(days=15))


def test_an_unknown_fault_type_is_refused():
    with pytest.raises(ValueError, match="unknown fault types"):
        generate(kinds=["trip", "meltdown"])


def test_a_type_with_nothing_to_act_on_in_the_model_is_refused():
    model = tiny_model()
    del model["ZoneControl:Thermostat"]
    assert fault_types_for(tiny_model(), tiny_points()) == list(FAULT_TYPES)
    assert "setpoint_change" not in fault_types_for(model, tiny_points())
    with pytest.raises(ValueError, match="nothing a setpoint_change can act on"):
        generate_faults(
            model, tiny_points(), kinds=["setpoint_change"], count_per_kind=1,
            start=START, end=END, seed=1,
        )  # fmt: skip
