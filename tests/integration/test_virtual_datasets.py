"""`graphtwin virtual-building datasets` on a tiny spec: one run of the small office (three July
days, one day of history) recorded by the real command, read back as a history store with its
labels, then found in the cache by a second command."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

pytest.importorskip("pyenergyplus")

from graphtwin.telemetry.history import HistoryStore
from graphtwin.virtual.dataset_build import run_status
from graphtwin.virtual.datasets import (
    plan_runs,
    read_dataset_spec,
    spec_hash,
    spec_identity,
)
from graphtwin.virtual.models import resolve_weather, weather_time_zone
from tests.conftest import GRAPHTWIN

SPEC = """graphtwin-datasets: 1
buildings: [office_small]
climates: [miami]
seasons: [{name: july, start: "07-01"}]
history_days: 1
evaluation_days: 2
fault_types: [trip, offset]
min_faults_per_type: 1
"""
RUN = "office_small-miami-july-faults"


def _datasets(spec, out):
    done = subprocess.run(
        [str(GRAPHTWIN), "virtual-building", "datasets", "--spec", str(spec), "--out", str(out),
         "--only", RUN, "--jobs", "1", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_tiny_data_set_is_recorded_read_back_and_then_taken_from_the_cache(tmp_path):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SPEC)
    out = tmp_path / "datasets"

    first = _datasets(spec_file, out)
    assert first["recorded"] == [RUN] and first["cached"] == []
    folder = out / RUN
    marker = json.loads((folder / "complete.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec_hash"] == marker["spec_hash"] == first["spec_hash"]
    status = {run["name"]: run["status"] for run in manifest["runs"]}
    assert status == {RUN: "complete", "office_small-miami-july-clean": "missing"}

    # the labels are the ground truth: the generated faults, after the day of history
    run = next(r for r in plan_runs(read_dataset_spec(spec_file)) if r.name == RUN)
    start, end = run.window.bounds(weather_time_zone(resolve_weather("miami").path))
    labels = json.loads((folder / "labels.json").read_text())
    assert sorted(label["type"] for label in labels) == ["offset", "trip"]
    assert "faults:" in (folder / "faults.yaml").read_text()
    assert json.loads((folder / "run.json").read_text())["faults_file"] == "faults.yaml"
    offset = next(label for label in labels if label["type"] == "offset")
    assert offset["start"] >= (start + timedelta(days=1)).isoformat().replace("+00:00", "Z")

    # the history store reads the run folder: every timestep of the offset point (stamped with
    # the timestep's end), 3 days of 15 minutes
    values = HistoryStore(folder, retention_days=None).query(offset["targets"][0])
    assert len(values) == 3 * 96 == marker["timesteps"]
    assert values["time"].iloc[0] == start + timedelta(minutes=15)
    assert values["time"].iloc[-1] == end

    second = _datasets(spec_file, out)
    assert second["recorded"] == [] and second["cached"] == [RUN]
    assert json.loads((folder / "complete.json").read_text()) == marker

    changed = read_dataset_spec(spec_file).model_copy(update={"seed": 18})
    other = spec_hash(spec_identity(changed, energyplus=marker_package(manifest)))
    assert run_status(folder, other) == "stale"


def marker_package(manifest):
    """The EnergyPlus package version the manifest's identity names."""
    return manifest["identity"]["energyplus_package"].split()[-1]
