"""`Node.thresholds`: the threshold bands of the sync rule a point's values come under, as the
point view draws them. Read from the running pipeline's routes; no database involved."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

from graphtwin.api.telemetry_fetchers import thresholds
from graphtwin.audit import AuditLog
from graphtwin.drift.rules import Bounds, Thresholds
from graphtwin.telemetry.bindings import SyncRule
from graphtwin.telemetry.history import HistoryStore
from graphtwin.telemetry.pipeline import IngestPipeline
from graphtwin.telemetry.routing import Route

COMFORT = SyncRule(
    thresholds=Thresholds(warning=Bounds(low=19, high=27), critical=Bounds(high=29), hysteresis=0.5)
)


def _pipeline(tmp_path: Path) -> IngestPipeline:
    routes = {
        ("plc", "hr:0"): Route("zat", "plain", SyncRule()),  # bound twice: once without bands
        ("bms", "zat"): Route("zat", "comfort", COMFORT),
        ("plc", "hr:2"): Route("damper", None, SyncRule()),
    }
    history = HistoryStore(tmp_path / "history", None)
    return IngestPipeline(routes, None, history, AuditLog(tmp_path / "audit.jsonl"))  # type: ignore[arg-type]


def test_a_point_bound_twice_is_judged_by_the_route_whose_rule_has_thresholds(tmp_path):
    routes = _pipeline(tmp_path).routes_of(["zat", "damper", "unbound"])
    assert {twin_id: r.rule_name for twin_id, r in routes.items()} == {
        "zat": "comfort",
        "damper": None,
    }


def test_thresholds_answers_the_bands_and_null_for_points_without_them(tmp_path):
    context = SimpleNamespace(
        services=SimpleNamespace(telemetry=SimpleNamespace(pipeline=_pipeline(tmp_path)))
    )
    parents = [{"twin_id": "zat"}, {"twin_id": "damper"}, {"twin_id": "unbound"}]
    answers = asyncio.run(thresholds(context, parents))  # type: ignore[arg-type]
    assert answers == [
        {
            "rule": "comfort",
            "warning_low": 19.0,
            "warning_high": 27.0,
            "critical_low": None,
            "critical_high": 29.0,
            "hysteresis": 0.5,
        },
        None,
        None,
    ]


def test_without_a_running_sync_no_point_has_thresholds():
    context = SimpleNamespace(services=SimpleNamespace(telemetry=None))
    assert asyncio.run(thresholds(context, [{"twin_id": "zat"}])) == [None]  # type: ignore[arg-type]
