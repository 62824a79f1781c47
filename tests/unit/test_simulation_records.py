"""A run's trajectories go to Parquet and come back as they were; its summary keeps what the
comparison shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from graphtwin.simulation.records import (
    TRAJECTORY_SCHEMA,
    SimulationRecordError,
    model_from_json,
    model_json,
    read_trajectories,
    result_json,
    run_summary,
    write_trajectories,
)
from graphtwin.simulation.result import (
    Impact,
    ModelUse,
    Outcome,
    Ranked,
    SimulationResult,
    Trajectory,
    ViolationSpan,
)

START = datetime(2025, 7, 23, 16, 30, tzinfo=UTC)


def trajectory(node: str, prop: str, unit: str, base: float, steps: int = 5) -> Trajectory:
    times = tuple(START + timedelta(minutes=5 * i) for i in range(steps))
    values = tuple(base + 0.25 * i for i in range(steps))
    return Trajectory(
        node=node,
        property=prop,
        unit=unit,
        times=times,
        values=values,
        lower=tuple(v - 0.1 * (i + 1) for i, v in enumerate(values)),
        upper=tuple(v + 0.1 * (i + 1) for i, v in enumerate(values)),
    )


def span(node: str, minutes: float) -> ViolationSpan:
    return ViolationSpan(
        node=node,
        property="air_temperature",
        bound="max",
        limit=26.0,
        unit="degC",
        severity="hard",
        when="occupied",
        constraint_ids=("office-comfort",),
        first_at=START + timedelta(minutes=minutes),
        duration_s=600.0,
        worst=26.4,
        because="EN 16798 cat. II -> office-comfort -> zone-1",
    )


def outcome(name: str, base: float, spans: tuple[ViolationSpan, ...]) -> Outcome:
    return Outcome(
        name=name,
        impact=Impact(removed=("ahu-1",), lost=("zone-1",), partly=("zone-2",)),
        trajectories=(
            trajectory("zone-1", "air_temperature", "degC", base),
            trajectory("zone-1", "hvac_power", "W", -1500.0 + base),
            trajectory("zone-2", "air_temperature", "degC", base - 1),
        ),
        violations=spans,
        violation_hours=sum(s.duration_s for s in spans) / 3600,
        zones_affected=tuple(sorted({s.node for s in spans})),
        energy_kwh=12.5 + base,
        cost=2.25,
        co2_kg=3.1,
        band_width_k=1.0,
    )


def result(run_id: str = "run-1") -> SimulationResult:
    return SimulationResult(
        run_id=run_id,
        scenario_id="scn-abc",
        scenario_name="AHU trips",
        start=START,
        step_s=300.0,
        horizon_s=1200.0,
        outcomes=(
            outcome("inaction", 24.0, (span("zone-1", 12.5), span("zone-2", 7.0))),
            outcome("raise airflow", 23.0, ()),
        ),
        ranking=(
            Ranked(1, "raise airflow", "no comfort violation"),
            Ranked(2, "inaction", "0.3 comfort-violation hours"),
        ),
        models=(
            ModelUse("zone-1", "rc2-1", True, 0.31, 4032, START - timedelta(days=14), START, False),
            ModelUse("zone-2", "prior-2", False, None, 12, None, None, False),
        ),
        affected=("ahu-1", "zone-1", "zone-2"),
        started_at=START,
        finished_at=START + timedelta(seconds=1),
        actor="cli:ana",
        code_version="0.1.0",
    )


def test_trajectories_come_back_from_parquet_as_they_were_written(tmp_path: Path):
    written = result()
    path = write_trajectories(written, tmp_path)
    assert path == tmp_path / "run-1.parquet"
    assert pq.read_schema(path).names == TRAJECTORY_SCHEMA.names
    found = read_trajectories(tmp_path, "run-1")
    assert list(found) == ["inaction", "raise airflow"]
    for o in written.outcomes:
        assert found[o.name] == list(o.trajectories)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_trajectories_are_read_for_one_variant_and_one_node(tmp_path: Path):
    written = result()
    write_trajectories(written, tmp_path)
    found = read_trajectories(tmp_path, "run-1", variant="raise airflow", node="zone-1")
    assert list(found) == ["raise airflow"]
    expected = [t for t in written.outcome("raise airflow").trajectories if t.node == "zone-1"]
    assert found["raise airflow"] == expected
    assert read_trajectories(tmp_path, "run-1", node="nowhere") == {}


def test_a_run_already_written_is_not_overwritten(tmp_path: Path):
    path = write_trajectories(result(), tmp_path)
    before = path.read_bytes()
    with pytest.raises(SimulationRecordError, match="run-1"):
        write_trajectories(result(), tmp_path)
    assert path.read_bytes() == before


def test_a_run_without_a_file_names_the_file(tmp_path: Path):
    with pytest.raises(SimulationRecordError) as caught:
        read_trajectories(tmp_path, "run-9")
    assert caught.value.path == tmp_path / "run-9.parquet"
    assert "run-9" in caught.value.message


def test_the_summary_keeps_figures_impact_first_violation_and_ranking_as_json():
    summary = json.loads(json.dumps(run_summary(result())))
    inaction, action = summary["outcomes"]
    assert inaction["name"] == "inaction" and action["name"] == "raise airflow"
    assert inaction["zones_affected"] == ["zone-1", "zone-2"]
    assert inaction["impact"] == {"removed": ["ahu-1"], "lost": ["zone-1"], "partly": ["zone-2"]}
    assert inaction["first_violation"]["node"] == "zone-2"  # 7 min beats 12.5 min
    assert inaction["violations"][0]["because"].startswith("EN 16798")
    assert action["first_violation"] is None
    assert [r["name"] for r in summary["ranking"]] == ["raise airflow", "inaction"]


def test_models_round_trip_through_json_with_their_fit_metadata():
    for model in result().models:
        assert model_from_json(json.loads(json.dumps(model_json(model)))) == model


def test_the_whole_result_as_json_holds_every_trajectory():
    payload = json.loads(json.dumps(result_json(result())))
    assert len(payload["trajectories"]) == 6
    first = payload["trajectories"][0]
    assert (first["variant"], first["node"], len(first["times"])) == ("inaction", "zone-1", 5)
