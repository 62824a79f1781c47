"""Forecasts on a real Neo4j: models stored and refit, the CLI's forecast, fit and backtest,
GraphQL `Node.forecast`, and early warnings that open before a threshold crossing, resolve
when the forecast stops crossing and link to the threshold issue when the crossing happens.

One module-scoped twin (an office with a few zone temperature points) and synthetic history
written with the history store; the tests run in order on it."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graphtwin.audit import AuditLog, read_audit_log
from graphtwin.config import Settings
from graphtwin.drift.reconcile import Policy, reconcile
from graphtwin.drift.threshold import ThresholdMonitor
from graphtwin.prediction.early_warning import early_warning
from graphtwin.prediction.fit_models import fit_models
from graphtwin.prediction.store import load_models
from graphtwin.prediction.watched_points import watched_points
from graphtwin.store import TwinStore
from graphtwin.store.graph_writer import GraphWriter
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.telemetry.history import HistoryStore
from importers import IMPORTERS
from tests.conftest import GRAPHTWIN
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

STEP = timedelta(minutes=15)
END = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
"""The last synthetic value: just before the tests run, so the CLI and the API (which forecast
from the real now) see a current history."""

OFFICE = """\
graphtwin: 1
source: office
nodes:
  - id: bldg
    kind: Building
    links: {CONTAINS: [zone-1, zone-2]}
  - {id: zone-1, kind: Zone, links: {HAS_POINT: [fc.zone, fc.warm, fc.new]}}
  - {id: zone-2, kind: Zone, links: {HAS_POINT: [fc.jump]}}
  - {id: fc.zone, kind: Point, name: Zone 1 temperature, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: fc.warm, kind: Point, name: Zone 1 warm side, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: fc.new, kind: Point, name: Zone 1 new sensor, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
  - {id: fc.jump, kind: Point, name: Zone 2 temperature, brick_class: Zone_Air_Temperature_Sensor,
     properties: {unit: degC}}
"""

BINDINGS = """\
graphtwin-bindings: 1
history: {{dir: {history}}}
audit_log: {audit}
sources:
  - {{id: bms, type: http}}
rules:
  comfort:
    thresholds: {{warning: {{high: {high}}}, critical: {{high: 30}}, hysteresis: 0.2}}
    reconcile: alert
bindings:
  - {{source: bms, point: {{twin_id: fc.warm}}, rule: comfort}}
"""


@dataclass
class Office:
    store: TwinStore
    history: HistoryStore
    folder: Path
    settings: Settings
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(GRAPHTWIN), *args], env=self.env, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip

    def bindings(self, high: float) -> Path:
        path = self.folder / f"bindings-{high:g}.yaml"
        text = BINDINGS.format(history=self.history.root, audit=self.folder / "audit.jsonl",
                               high=high)  # fmt: skip
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


def daily(days: float, *, end: datetime = END, mean: float = 22.0, seed: int = 0) -> tuple:
    """15-minute values ending at `end`: a daily swing of +-2 around `mean` that rises from
    the mean at `end` (its peak 6 hours later), with a little noise."""
    n = int(days * 96)
    k = np.arange(n) - (n - 1)
    times = np.datetime64(end.replace(tzinfo=None), "ns") + k * np.timedelta64(15, "m")
    values = mean + 2 * np.sin(2 * np.pi * k / 96) + np.random.default_rng(seed).normal(0, 0.05, n)
    return times, values


def write_history(history: HistoryStore, twin_id: str, times: np.ndarray, values: np.ndarray):
    n = len(values)
    history.append([twin_id] * n, times.astype(np.int64).tolist(), values.tolist(), ["good"] * n,
                   ["bms"] * n)  # fmt: skip
    history.flush()


@pytest.fixture(scope="module")
def office(
    neo4j_settings: Settings, neo4j_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Office]:
    folder = tmp_path_factory.mktemp("prediction")
    with TwinStore.open(neo4j_settings) as store:
        store.reset()
        (folder / "office.yaml").write_text(OFFICE, encoding="utf-8")
        store.load([IMPORTERS["twin"].parse(folder / "office.yaml")])
        history = HistoryStore(folder / "history", retention_days=None)
        write_history(history, "fc.zone", *daily(14, seed=1))
        write_history(history, "fc.warm", *daily(14, seed=2))
        write_history(history, "fc.new", *daily(1, seed=3))
        times, values = daily(14, seed=4)
        values[times >= np.datetime64((END - timedelta(hours=3)).replace(tzinfo=None))] += 6.0
        write_history(history, "fc.jump", times, values)
        yield Office(store, history, folder, neo4j_settings, neo4j_env)
        history.close()


def test_a_fitted_model_is_stored_and_read_back_with_its_window_and_score(office: Office):
    run = fit_models(office.store, office.history, office.settings, root="zone-1", now=END)
    assert {s.point for s in run.refit} == {"fc.zone", "fc.warm"}
    [short] = run.short
    assert short.point == "fc.new" and "h of values, 3 days needed" in short.shortfall
    assert run.stored == 2
    stored = load_models(office.store, ["fc.zone", "fc.new"])
    assert set(stored) == {"fc.zone"}  # no model is invented for the short history
    model = stored["fc.zone"].model
    fitted = next(s.model for s in run.refit if s.point == "fc.zone")
    assert model == fitted
    assert model.trained_to <= END and (END - model.trained_from) > timedelta(days=13)
    assert model.mase is not None and 0 < model.mase < 1.5
    assert stored["fc.zone"].refit_after == END + timedelta(seconds=86_400)


def test_a_fresh_model_is_kept_a_due_one_refit_and_one_whose_error_grew_refit_early(
    office: Office,
):
    before_jump = END - timedelta(hours=3)
    first = fit_models(office.store, office.history, office.settings, root="zone-2",
                       now=before_jump)  # fmt: skip
    assert [s.refit for s in first.states] == ["no stored model"]
    again = fit_models(office.store, office.history, office.settings, root="zone-2",
                       now=before_jump + timedelta(minutes=30))  # fmt: skip
    assert [s.refit for s in again.states] == [None] and again.stored == 0  # kept
    after = fit_models(office.store, office.history, office.settings, root="zone-2", now=END)
    [state] = after.states
    assert state.refit is not None and state.refit.startswith("error grew")
    due = fit_models(office.store, office.history, office.settings, root="zone-1",
                     now=END + timedelta(days=1, minutes=1))  # fmt: skip
    reasons = {s.point: s.refit for s in due.states}
    assert reasons["fc.zone"].startswith("scheduled")


def test_the_cli_forecast_gives_ordered_intervals_model_and_window(office: Office):
    done = office.cli("forecast", "fc.zone", "--horizon", "6h", "--step", "30m", "--json",
                      "--history", str(office.history.root))  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "ok"
    assert answer["model"]["model_id"].startswith("daytype_profile-zone_temperature-")
    assert answer["model"]["trained_from"] < answer["model"]["trained_to"]
    assert answer["model"]["backtest_mase"] is not None
    points = answer["points"]
    assert len(points) == 12
    times = [p["time"] for p in points]
    assert times == sorted(times) and len(set(times)) == 12
    for p in points:
        assert p["lo95"] <= p["lo80"] <= p["mean"] <= p["hi80"] <= p["hi95"]
    # the swing rises from its mean at the end of the history: the forecast follows it
    assert points[-1]["mean"] > points[0]["mean"]

    # --at replays a past time from the history up to it, and leaves the stored model alone
    past = END - timedelta(days=1, hours=3)
    then = office.cli("forecast", "fc.zone", "--horizon", "2h", "--json", "--at",
                      past.isoformat(), "--history", str(office.history.root))  # fmt: skip
    assert then.returncode == 0, then.stderr
    replay = json.loads(then.stdout)
    assert replay["model"]["trained_to"] <= past.isoformat() < replay["points"][0]["time"]
    assert replay["model"]["model_id"] != answer["model"]["model_id"]
    again = json.loads(office.cli("forecast", "fc.zone", "--json", "--history",
                                  str(office.history.root)).stdout)  # fmt: skip
    assert again["model"]["model_id"] == answer["model"]["model_id"]
    future = office.cli("forecast", "fc.zone", "--at", (END + timedelta(days=1)).isoformat())
    assert future.returncode == 2 and "--at" in future.stderr


def test_too_little_history_says_how_much_and_invents_nothing(office: Office):
    done = office.cli("forecast", "fc.new", "--json", "--history", str(office.history.root))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "insufficient_history"
    assert answer["points"] == [] and answer["model"] is None
    assert "3 days needed" in answer["message"] and "h of values" in answer["message"]
    fit = office.cli("forecast", "fit", "--root", "zone-1", "--json", "--history",
                     str(office.history.root))  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    done = json.loads(fit.stdout)
    assert (done["points"], done["insufficient_history"], done["refit"]) == (3, 1, 0)
    [short] = [m for m in done["models"] if m["model"] is None]
    assert short["twin_id"] == "fc.new" and "3 days needed" in short["message"]


def test_an_unknown_id_or_a_non_point_is_a_clear_error(office: Office):
    unknown = office.cli("forecast", "no-such-point")
    assert unknown.returncode == 2 and "no-such-point" in unknown.stderr
    zone = office.cli("forecast", "zone-1")
    assert zone.returncode == 2 and "only points have forecasts" in zone.stderr


def test_backtest_reports_mase_and_coverage_per_point_and_overall(office: Office):
    done = office.cli(
        "forecast", "backtest", "--root", "zone-1", "--json", "--history",
        str(office.history.root), "--from", (END - timedelta(days=4)).isoformat(),
        "--to", END.isoformat(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    by_point = {p["twin_id"]: p for p in report["per_point"]}
    assert set(by_point) == {"fc.zone", "fc.warm", "fc.new"}
    assert by_point["fc.new"]["status"] == "insufficient_history"
    for twin_id in ("fc.zone", "fc.warm"):
        scored = by_point[twin_id]
        assert 0 < scored["mase_1h"] < 1 and 0 < scored["mase_24h"] < 1.5
        for level in (80, 90, 95):
            assert 0 <= scored[f"coverage_{level}"] <= 1
        assert scored["coverage_80"] <= scored["coverage_95"]
    assert report["points"] == 2
    assert report["overall"]["mase_1h"] is not None


def test_graphql_forecast_answers_a_reader(office: Office, api_server: ApiServer):
    assert api_server.telemetry_dir is not None
    api_history = HistoryStore(Path(api_server.telemetry_dir) / "history", retention_days=None)
    write_history(api_history, "fc.zone", *daily(14, seed=1))
    query = """{ node(twinId: "fc.zone") { forecast(horizon: "2h", step: "15m") {
        status modelId family trainedFrom trainedTo backtestMase history { samples nanCount }
        values { time mean lower80 upper80 lower95 upper95 } } }
      zone: node(twinId: "zone-1") { forecast { status } } }"""
    data = api_server.data(query)
    found = data["node"]["forecast"]
    assert found["status"] == "ok" and found["family"] == "daytype_profile"
    assert found["modelId"] and found["trainedFrom"] < found["trainedTo"]
    assert found["history"]["samples"] == 14 * 96
    assert len(found["values"]) == 8
    for v in found["values"]:
        assert v["lower95"] <= v["lower80"] <= v["mean"] <= v["upper80"] <= v["upper95"]
    assert data["zone"] is None or data["zone"]["forecast"] is None
    bad = api_server.post('{ node(twinId: "fc.zone") { forecast(horizon: "9d") { status } } }')
    assert "horizon" in json.dumps(bad.json()["errors"])


def predicted(store: TwinStore, twin_id: str) -> list[dict[str, Any]]:
    rows = store.read("drift/issues_list", statuses=None, types=None, twin_id=twin_id, limit=20)
    return [r["issue"] for r in rows]


def watch(office: Office, watched: dict, *, now: datetime, audit: AuditLog) -> Any:
    return early_warning(office.store, office.history, office.settings, watched,
                         horizon=timedelta(hours=12), now=now, audit=audit)  # fmt: skip


def test_a_predicted_issue_opens_before_the_crossing_resolves_and_links_to_the_threshold_issue(
    office: Office,
):
    audit_path = office.folder / "audit.jsonl"
    crossing = office.bindings(high=23.5)  # the daily peak (24) is 6 h ahead
    spec = read_bindings(crossing)
    watched = watched_points(office.store, spec, str(crossing), root="bldg")
    assert set(watched) == {"fc.warm"}
    with AuditLog(audit_path) as audit:
        run = watch(office, watched, now=END, audit=audit)
    assert run.opened == 1
    [warning] = run.warnings
    assert END < warning.expected_at < END + timedelta(hours=7)
    assert warning.probability >= 0.5
    [issue] = predicted(office.store, "fc.warm")
    assert (issue["type"], issue["status"], issue["severity"]) == ("predicted", "open", "warning")
    evidence = json.loads(issue["evidence"])
    assert evidence["model_id"] == warning.model_id and evidence["expected_at"]
    assert evidence["probability"] >= 0.5 and evidence["issued_at"]

    # a later forecast that no longer crosses (the rule now allows 29 degC) resolves it
    calm = office.bindings(high=29.0)
    watched_calm = watched_points(office.store, read_bindings(calm), str(calm), root="bldg")
    with AuditLog(audit_path) as audit:
        run = watch(office, watched_calm, now=END + timedelta(minutes=5), audit=audit)
    assert (run.opened, run.resolved) == (0, 1)
    assert [i["status"] for i in predicted(office.store, "fc.warm")] == ["resolved"]

    # warned again, then the crossing happens: the sync's threshold issue links to the warning
    with AuditLog(audit_path) as audit:
        run = watch(office, watched, now=END + timedelta(minutes=10), audit=audit)
    assert run.opened == 1
    warning_id = next(i["issue_id"] for i in predicted(office.store, "fc.warm")
                      if i["status"] == "open")  # fmt: skip
    monitor = ThresholdMonitor()
    rule = watched["fc.warm"]
    at_ms = int((END + timedelta(hours=5)).timestamp() * 1000)
    event = monitor.observe("fc.warm", rule.thresholds, 23.9, at_ms, "comfort")
    assert event is not None
    done = reconcile([event], lambda _rule: Policy("alert"))
    GraphWriter(office.store).write_batch([], [], done.open_rows, done.update_rows)
    [threshold] = [i for i in predicted(office.store, "fc.warm") if i["type"] == "threshold"]
    assert threshold["predicted_by"] == [warning_id]

    # the next pass resolves the warning as fulfilled and opens none while the crossing lasts
    with AuditLog(audit_path) as audit:
        run = watch(office, watched, now=END + timedelta(minutes=15), audit=audit)
    assert (run.opened, run.resolved) == (0, 1)
    fulfilled = next(i for i in predicted(office.store, "fc.warm") if i["issue_id"] == warning_id)
    assert fulfilled["status"] == "resolved"

    records = [r for r in read_audit_log(audit_path) if r.payload.get("type") == "predicted"]
    assert [r.kind for r in records] == [
        "drift_opened", "drift_resolved", "drift_opened", "drift_resolved",
    ]  # fmt: skip
    assert records[-1].payload["evidence"]["threshold_issue"] == threshold["issue_id"]


def test_forecast_watch_once_runs_the_early_warning_from_the_command_line(office: Office):
    done = office.cli("forecast", "watch", "--config", str(office.bindings(high=23.5)),
                      "--once", "--json", "--horizon", "12h")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["watched"] == 1
    # the threshold issue from the test before is still open: no new warning is opened
    assert result["opened"] == 0
