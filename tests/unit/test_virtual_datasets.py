"""The evaluation data sets' spec: which runs, which windows, how many faults of each type, and
the spec hash that keeps the cache honest. Planning runs no EnergyPlus; the last tests convert
the two models (EnergyPlus's `--convert-only`, no simulation) to generate the faults as a build
does."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import yaml

from graphtwin.errors import InputError, SchemaViolationError
from graphtwin.virtual import datasets
from graphtwin.virtual.datasets import (
    DatasetSpec,
    Season,
    faults_per_run,
    plan_runs,
    planned_fault_totals,
    read_dataset_spec,
    select_runs,
    spec_hash,
    spec_identity,
    standard_spec,
)
from graphtwin.virtual.faults.spec import FAULT_TYPES, LABEL_TYPES, parse_duration
from graphtwin.virtual.models import resolve_weather, weather_time_zone

# What the two offices can have, as `fault_types_for` finds it: the small office's coils are all
# load-controlled, so it has no coil_failure (checked against the real models below).
SMALL = [kind for kind in FAULT_TYPES if kind != "coil_failure"]
SUPPORT = {"office_medium": list(FAULT_TYPES), "office_small": SMALL}


def test_the_standard_set_runs_both_offices_in_three_climates_and_two_seasons_twice():
    spec = standard_spec()
    runs = plan_runs(spec)
    combos = {(r.building, r.climate, r.season) for r in runs}
    assert {b for b, _, _ in combos} == {"office_medium", "office_small"}
    assert {c for _, c, _ in combos} == {"denver", "chicago", "miami"}
    assert {s for _, _, s in combos} == {"summer", "winter"}
    assert len(combos) == 12
    for combo in combos:
        pair = [r for r in runs if (r.building, r.climate, r.season) == combo]
        assert sorted(r.faulted for r in pair) == [False, True]
        assert pair[0].window == pair[1].window  # the clean run is the faulted run's reference
    assert len({r.name for r in runs}) == len(runs)


def test_every_window_has_fourteen_days_of_history_and_four_weeks_to_evaluate_in_its_season():
    for run in plan_runs(standard_spec()):
        window = run.window
        assert run.history == timedelta(days=14)
        assert window.days - run.history_days >= 28
        assert window.days >= 42  # six consecutive weeks
        months = {window.first_day.month, window.last_day.month}
        season_months = {6, 7, 8, 9} if run.season == "summer" else {12, 1, 2, 3}
        assert months <= season_months, (run.name, window)


def test_each_fault_type_occurs_at_least_ten_times_over_the_standard_set():
    spec = standard_spec()
    per_run = faults_per_run(spec, SUPPORT)
    totals = planned_fault_totals(spec, per_run)
    assert set(totals) == set(FAULT_TYPES)
    assert min(totals.values()) >= 10
    assert "coil_failure" not in per_run["office_small"].kinds
    # the medium office carries the coil failures the small office cannot have
    assert per_run["office_medium"].count > per_run["office_small"].count


@pytest.mark.parametrize("minimum", [1, 7, 10, 25])
def test_the_fault_counts_reach_any_minimum_and_every_faulted_run_has_each_of_its_types(minimum):
    spec = standard_spec().model_copy(update={"min_faults_per_type": minimum})
    fewer_small = {**SUPPORT, "office_small": [k for k in SMALL if k not in ("swap", "drift")]}
    for support in (SUPPORT, fewer_small):
        per_run = faults_per_run(spec, support)
        assert min(planned_fault_totals(spec, per_run).values()) >= minimum
        for building, plan in per_run.items():
            assert plan.count >= 1
            assert list(plan.kinds) == [k for k in FAULT_TYPES if k in support[building]]


def test_the_standard_set_has_two_of_each_type_per_medium_office_run_and_one_per_small():
    per_run = faults_per_run(standard_spec(), SUPPORT)
    assert (per_run["office_medium"].count, per_run["office_small"].count) == (2, 1)


def test_a_fault_type_no_building_can_have_is_refused():
    spec = standard_spec()
    with pytest.raises(InputError, match="coil_failure"):
        faults_per_run(spec, {"office_medium": SMALL, "office_small": SMALL})


def test_the_plan_is_the_same_for_the_same_seed_and_changes_with_it():
    spec = standard_spec()
    first, again = plan_runs(spec), plan_runs(standard_spec())
    assert first == again
    assert len({r.seed for r in first}) == len(first)  # every run its own faults
    other = plan_runs(spec.model_copy(update={"seed": spec.seed + 1}))
    assert all(a.seed != b.seed for a, b in zip(first, other, strict=True))


def test_seeds_and_the_spec_hash_do_not_depend_on_the_process():
    spec = standard_spec()
    identity = spec_identity(spec, energyplus="26.1.0")
    here = {"seeds": [r.seed for r in plan_runs(spec)], "hash": spec_hash(identity)}
    script = (
        "import json\n"
        "from graphtwin.virtual.datasets import *\n"
        "spec = standard_spec()\n"
        "print(json.dumps({'seeds': [r.seed for r in plan_runs(spec)],"
        " 'hash': spec_hash(spec_identity(spec, energyplus='26.1.0'))}))\n"
    )
    hash_seed = str(int(os.environ.get("PYTHONHASHSEED", "0") or 0) + 1)  # not ours
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout) == here


def test_the_spec_hash_changes_when_anything_in_the_spec_changes(monkeypatch):
    spec = standard_spec()
    base = spec_hash(spec_identity(spec, energyplus="26.1.0"))
    assert base == spec_hash(spec_identity(standard_spec(), energyplus="26.1.0"))
    changed = [
        spec.model_copy(update={"seed": 18}),
        spec.model_copy(update={"evaluation_days": 29}),
        spec.model_copy(update={"history_days": 13}),
        spec.model_copy(update={"min_faults_per_type": 11}),
        spec.model_copy(update={"fault_types": ("trip",)}),
        spec.model_copy(update={"climates": ("denver", "chicago")}),
        spec.model_copy(update={"seasons": (Season(name="summer", start="06-24"),)}),
    ]
    hashes = {spec_hash(spec_identity(s, energyplus="26.1.0")) for s in changed}
    assert base not in hashes and len(hashes) == len(changed)
    assert spec_hash(spec_identity(spec, energyplus="26.2.0")) != base
    monkeypatch.setattr(datasets, "DATASET_VERSION", datasets.DATASET_VERSION + 1)
    assert spec_hash(spec_identity(spec, energyplus="26.1.0")) != base


def test_only_selects_runs_by_name_or_pattern_and_refuses_a_name_that_matches_none():
    runs = plan_runs(standard_spec())
    assert select_runs(runs, []) == runs
    picked = select_runs(runs, ["office_small-*-winter-*", "office_medium-miami-summer-clean"])
    assert len(picked) == 7
    assert {r.name for r in picked} >= {"office_medium-miami-summer-clean"}
    with pytest.raises(InputError, match="office_tiny"):
        select_runs(runs, ["office_small-*", "office_tiny-*"])


def test_a_spec_file_is_read_and_its_mistakes_name_the_line(tmp_path):
    good = tmp_path / "spec.yaml"
    good.write_text(
        "graphtwin-datasets: 1\nbuildings: [office_small]\nclimates: [miami]\n"
        "seasons:\n  - {name: july, start: '07-01'}\nhistory_days: 1\nevaluation_days: 2\n"
    )
    spec = read_dataset_spec(good)
    assert spec.days == 3 and [r.name for r in plan_runs(spec)] == [
        "office_small-miami-july-clean",
        "office_small-miami-july-faults",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "graphtwin-datasets: 1\nbuildings: [office_small]\nclimates: [miami]\n"
        "seasons:\n  - {name: july, start: '07-01'}\n  - {name: feb, start: '02-30'}\n"
    )
    with pytest.raises(SchemaViolationError) as caught:
        read_dataset_spec(bad)
    assert caught.value.line == 6
    with pytest.raises(ValueError, match="paths are not taken"):
        DatasetSpec(buildings=("models/my office.idf",), climates=("miami",), seasons=())


# --- the faults a build generates (EnergyPlus converts the models; nothing is simulated) --------


@pytest.fixture(scope="module")
def generated():
    """The faults file of every faulted run of the standard set, generated twice."""
    pytest.importorskip("pyenergyplus")
    from graphtwin.virtual import dataset_build

    spec = standard_spec()
    per_run = dataset_build._fault_plan(spec)
    runs = [r for r in plan_runs(spec) if r.faulted]
    first = {r.name: dataset_build.faults_file_text(r, per_run[r.building]) for r in runs}
    some = [runs[0], runs[-1]]  # one of each building
    again = {r.name: dataset_build.faults_file_text(r, per_run[r.building]) for r in some}
    reseeded = [r for r in plan_runs(spec.model_copy(update={"seed": 18})) if r.faulted]
    other = {
        r.name: dataset_build.faults_file_text(r, per_run[r.building])
        for r in (reseeded[0], reseeded[-1])
    }
    return spec, per_run, runs, first, again, other


def test_the_small_office_has_no_coil_failure_and_the_medium_office_has_every_type(generated):
    _, per_run, *_ = generated
    assert list(per_run["office_medium"].kinds) == list(FAULT_TYPES)
    assert list(per_run["office_small"].kinds) == SMALL


def test_generated_faults_reach_ten_of_each_type_after_the_history_without_overlapping(generated):
    spec, _, runs, first, _, _ = generated
    totals = dict.fromkeys(FAULT_TYPES, 0)
    for run in runs:
        entries = yaml.safe_load(first[run.name])["faults"]
        start, end = run.window.bounds(weather_time_zone(resolve_weather(run.climate).path))
        timed = []
        for entry in entries:
            totals[entry["type"]] += 1
            if entry["type"] in LABEL_TYPES:
                continue
            begin = datetime.fromisoformat(entry["start"])
            finish = begin + parse_duration(entry["duration"])
            assert begin >= start + timedelta(days=spec.history_days), (run.name, entry)
            assert finish <= end, (run.name, entry)
            timed.append((begin, finish))
        timed.sort()
        for (_, earlier_end), (later_start, _) in itertools.pairwise(timed):
            assert earlier_end <= later_start, run.name
    assert min(totals.values()) >= spec.min_faults_per_type


def test_generated_faults_are_the_same_for_the_same_seed_and_differ_for_another(generated):
    _, _, _, first, again, other = generated
    assert len(again) == len(other) == 2
    assert all(first[name] == text for name, text in again.items())
    assert all(first[name] != text for name, text in other.items())
