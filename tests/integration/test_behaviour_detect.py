"""Behaviour detection on a real Neo4j: a small twin (an AHU feeding three zones, one
temperature point each) whose history has a stuck sensor; `graphtwin behaviour detect` opens a
`behaviour` issue for it, and resolves it when a later window is clean."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from graphtwin.behaviour.scorer import FEATURES, RULE_CODES, fit_for_budget
from graphtwin.behaviour.workflow import Detection, run_detection
from graphtwin.store import TwinStore
from graphtwin.telemetry.history import HistoryStore
from importers import IMPORTERS
from tests.conftest import CliRunner

pytestmark = pytest.mark.neo4j

START = datetime(2025, 7, 1, tzinfo=UTC)
DAYS = 17
STUCK_FROM = START + timedelta(days=15, hours=8)
STUCK_HOURS = 4

TWIN = """\
graphtwin: 1
source: plant
nodes:
  - {id: bldg, kind: Building, links: {CONTAINS: [ahu-1, z1, z2, z3]}}
  - {id: ahu-1, kind: Equipment, links: {FEEDS: [z1, z2, z3]}}
  - {id: z1, kind: Zone, links: {HAS_POINT: [z1.t]}}
  - {id: z2, kind: Zone, links: {HAS_POINT: [z2.t]}}
  - {id: z3, kind: Zone, links: {HAS_POINT: [z3.t]}}
  - {id: z1.t, kind: Point, name: Zone 1 temperature, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: z2.t, kind: Point, name: Zone 2 temperature, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: z3.t, kind: Point, name: Zone 3 temperature, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
"""


def zone_values(seed: int, n: int) -> np.ndarray:
    """A daily swing shared by the zones, each with its own small, smooth wander."""
    k = np.arange(n)
    wander = np.convolve(
        np.random.default_rng(seed).normal(0, 0.05, n + 7), np.ones(8) / 8, "valid"
    )
    return 22 + 2 * np.sin(2 * np.pi * k / 96) + 0.3 * seed + wander[:n]


def write_history(folder: Path) -> None:
    n = DAYS * 96
    times = np.datetime64(START.replace(tzinfo=None), "ns") + np.arange(1, n + 1) * np.timedelta64(
        15, "m"
    )
    history = HistoryStore(folder, retention_days=None)
    for seed, point in enumerate(("z1.t", "z2.t", "z3.t"), start=1):
        values = zone_values(seed, n)
        if point == "z1.t":
            first = int((STUCK_FROM - START) / timedelta(minutes=15))
            values[first : first + STUCK_HOURS * 4] = values[first - 1]
        history.append([point] * n, times.astype(np.int64).tolist(), values.tolist(),
                       ["good"] * n, ["bms"] * n)  # fmt: skip
    history.flush()
    history.close()


def behaviour_issues(store: TwinStore) -> list[dict[str, object]]:
    return store.read("drift/issues_unresolved", types=["behaviour"])


def test_a_stuck_sensor_opens_a_behaviour_issue_that_resolves_when_a_later_window_is_clean(
    store: TwinStore, cli: CliRunner, tmp_path: Path
):
    (tmp_path / "twin.yaml").write_text(TWIN, encoding="utf-8")
    store.load([IMPORTERS["twin"].parse(tmp_path / "twin.yaml")])
    write_history(tmp_path / "history")

    def detect(day: int, *extra: str) -> dict[str, object]:
        since, to = START + timedelta(days=day), START + timedelta(days=day + 1)
        done = cli(
            "behaviour",
            "detect",
            "--root",
            "bldg",
            "--history",
            tmp_path / "history",
            "--from",
            since.isoformat(),
            "--to",
            to.isoformat(),
            "--json",
            *extra,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    dry = detect(15, "--dry-run")
    assert behaviour_issues(store) == []  # a dry run records nothing
    stuck = [f for f in dry["findings"] if f["rule"] == "behaviour-stuck"]
    assert [f["twin_id"] for f in stuck] == ["z1.t"]
    assert stuck[0]["cause"] == "sensor"
    assert stuck[0]["evidence"]["flat_steps"] == STUCK_HOURS * 4 + 1
    assert set(stuck[0]["evidence"]["compared"]) == {"z2.t", "z3.t"}

    # the same run recorded (in process: the CLI's own code, without starting it again)
    history = HistoryStore(tmp_path / "history", retention_days=None)

    def record(day: int) -> Detection:
        since = START + timedelta(days=day)
        return run_detection(
            store, history, start=since, end=since + timedelta(days=1), root="bldg"
        )

    found = record(15)
    assert found.recorded is not None and found.recorded.opened >= 1
    opened = {(r["twin_id"], r["rule"]) for r in behaviour_issues(store)}
    assert ("z1.t", "behaviour-stuck") in opened

    later = record(16)
    assert not [f for f in later.findings if f.rule == "behaviour-stuck"]
    assert later.recorded is not None and later.recorded.resolved >= 1
    still = {(r["twin_id"], r["rule"]) for r in behaviour_issues(store)}
    assert ("z1.t", "behaviour-stuck") not in still


def test_detect_says_which_judged_and_loads_a_trained_scorer(
    store: TwinStore, cli: CliRunner, tmp_path: Path
):
    (tmp_path / "twin.yaml").write_text(TWIN, encoding="utf-8")
    store.load([IMPORTERS["twin"].parse(tmp_path / "twin.yaml")])
    write_history(tmp_path / "history")
    # a scorer that keeps every stuck episode (its rule code) and nothing else
    rows = np.zeros((900, len(FEATURES)))
    rows[:, 0] = np.arange(900) % len(RULE_CODES)
    labels = rows[:, 0] == RULE_CODES.index("behaviour-stuck")
    scorer = fit_for_budget(rows, labels, [i % 3 for i in range(900)], ~labels, 1000.0,
                            budget=1.0, runs=["generated"])  # fmt: skip
    scorer.save(tmp_path / "scorer")
    since = START + timedelta(days=15)
    window = ["--root", "bldg", "--history", tmp_path / "history", "--from", since.isoformat(),
              "--to", (since + timedelta(days=1)).isoformat(), "--json", "--dry-run"]  # fmt: skip

    plain = cli("behaviour", "detect", *window)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["judged_by"] == "calibrated thresholds (no trained scorer)"
    scored = cli("behaviour", "detect", *window, "--scorer", tmp_path / "scorer")
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout)
    assert result["judged_by"].startswith("learned scorer (threshold")
    assert [(f["twin_id"], f["rule"]) for f in result["findings"]] == [("z1.t", "behaviour-stuck")]
    assert result["findings"][0]["evidence"]["score"] >= scorer.manifest.threshold
    missing = cli("behaviour", "detect", *window, "--scorer", tmp_path / "no-scorer")
    assert missing.returncode != 0 and "train first" in missing.stderr
