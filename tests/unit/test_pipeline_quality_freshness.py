"""A value whose quality is not good (a BACnet object out of service or in fault) is taken and
kept, but does not count as fresh: it neither keeps a point from going stale nor recovers it.
A bad value is not judged against thresholds either."""

from __future__ import annotations

import time
from pathlib import Path

from graphtwin.audit import AuditLog
from graphtwin.drift.rules import Bounds, Thresholds
from graphtwin.telemetry.bindings import SyncRule
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.readings import Reading
from graphtwin.telemetry.routing import Route

LIMIT_S = 0.05


def pipeline(tmp_path: Path) -> IngestPipeline:
    """A pipeline with one watched point; nothing here reaches the graph (no flush is run)."""
    routes = {("dev", "analog-value,1"): Route("p1", "r", SyncRule(staleness_s=LIMIT_S))}
    history = HistoryStore(tmp_path / "history", None)
    return IngestPipeline(routes, None, history, AuditLog(tmp_path / "audit.jsonl"))  # type: ignore[arg-type]


def stale_after_silence(p: IngestPipeline, quality: str) -> list[str]:
    time.sleep(LIMIT_S * 1.5)
    assert p.submit(Reading("dev", "analog-value,1", 20.0, None, quality)) is None
    return [e.twin_id for e in p.staleness.check(int(time.time() * 1000))]


def test_an_out_of_service_value_is_accepted_but_the_point_still_goes_stale(tmp_path):
    p = pipeline(tmp_path)
    assert stale_after_silence(p, "uncertain") == ["p1"]
    assert p.stats.accepted == 1


def test_a_good_value_keeps_the_point_fresh(tmp_path):
    assert stale_after_silence(pipeline(tmp_path), "good") == []


def test_a_stale_point_recovers_with_a_good_value_not_with_a_bad_one(tmp_path):
    p = pipeline(tmp_path)
    time.sleep(LIMIT_S * 1.5)
    assert [e.twin_id for e in p.staleness.check(int(time.time() * 1000))] == ["p1"]
    p.submit(Reading("dev", "analog-value,1", 20.0, None, "bad"))
    assert not p._drift  # no recovery from a faulty value
    p.submit(Reading("dev", "analog-value,1", 21.0, None, "good"))
    assert [(e.twin_id, str(e.transition)) for e in p._drift] == [("p1", "resolved")]


def test_a_bad_value_beyond_a_threshold_opens_no_issue_and_a_good_one_does(tmp_path):
    rule = SyncRule(thresholds=Thresholds(warning=Bounds(high=26.0)))
    routes = {("dev", "analog-value,1"): Route("p1", "comfort", rule)}
    history = HistoryStore(tmp_path / "history", None)
    p = IngestPipeline(routes, None, history, AuditLog(tmp_path / "audit.jsonl"))  # type: ignore[arg-type]
    p.submit(Reading("dev", "analog-value,1", 0.0, None, "good"))
    p.submit(Reading("dev", "analog-value,1", 85.0, None, "bad"))  # a broken sensor's reading
    assert not p._drift
    p.submit(Reading("dev", "analog-value,1", 30.0, None, "good"))
    assert [(e.twin_id, str(e.transition)) for e in p._drift] == [("p1", "opened")]
