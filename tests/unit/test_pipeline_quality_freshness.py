"""A value whose quality is not good (a BACnet object out of service or in fault) is taken and
kept, but does not count as fresh: it neither keeps a point from going stale nor recovers it."""

from __future__ import annotations

import time
from pathlib import Path

from graphtwin.audit import AuditLog
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
