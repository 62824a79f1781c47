"""Rules declared once by selector: every point of a Brick class (subclasses included) within a
node gets its thresholds and staleness limit, and a binding that names its own rule keeps it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from graphtwin.api.telemetry_fetchers import thresholds
from graphtwin.store import TwinStore
from graphtwin.telemetry.bindings import read_bindings
from graphtwin.telemetry.http_ingest import TelemetryPush
from graphtwin.telemetry.readings import Reading
from graphtwin.telemetry.sync import TwinSync
from importers import IMPORTERS

pytestmark = pytest.mark.neo4j

CAMPUS = """
graphtwin: 1
source: campus
nodes:
  - {id: campus, kind: Site, name: Campus, links: {CONTAINS: [bldg-a, bldg-b]}}
  - {id: bldg-a, kind: Building, name: A, links: {CONTAINS: [a.l1]}}
  - {id: a.l1, kind: Floor, name: A L1, links: {CONTAINS: [a.101, a.102]}}
  - {id: a.101, kind: Space, name: Office 101, links: {HAS_POINT: [a.101.zat]}}
  - {id: a.102, kind: Space, name: Office 102}
  - {id: vav-101, kind: Equipment, name: VAV 101, brick_class: Variable_Air_Volume_Box,
     links: {LOCATED_IN: [a.101], HAS_POINT: [vav-101.zat, vav-101.sat]}}
  - {id: vav-102, kind: Equipment, name: VAV 102, brick_class: Variable_Air_Volume_Box,
     links: {LOCATED_IN: [a.102], HAS_POINT: [vav-102.zat]}}
  - {id: vav-101.zat, kind: Point, name: VAV 101 ZAT, brick_class: Zone_Air_Temperature_Sensor}
  - {id: vav-101.sat, kind: Point, name: VAV 101 SAT,
     brick_class: Supply_Air_Temperature_Sensor}
  - {id: vav-102.zat, kind: Point, name: VAV 102 Warmest Zone Temp,
     brick_class: Warmest_Zone_Air_Temperature_Sensor}
  - {id: a.101.zat, kind: Point, name: Office 101 ZAT, brick_class: Zone_Air_Temperature_Sensor}
  - {id: bldg-b, kind: Building, name: B, links: {HAS_POINT: [b.zat]}}
  - {id: b.zat, kind: Point, name: B Zone Temp, brick_class: Zone_Air_Temperature_Sensor}
"""

BINDINGS = """
graphtwin-bindings: 1
history: {{dir: {dir}/history}}
audit_log: {dir}/audit.jsonl
sources:
  - {{id: gateway, type: http}}
  - {{id: open, type: http}}
rules:
  default: {{}}
  comfort:
    thresholds: {{warning: {{low: 19, high: 26}}}}
    staleness_s: 900
    reconcile: alert
  lab: {{thresholds: {{warning: {{high: 30}}}}}}
selectors:
  - {{brick_class: Zone_Air_Temperature_Sensor, within: bldg-a, rule: comfort}}
bindings:
  - {{source: gateway, point: {{twin_id: vav-101.zat}}}}
  - {{source: gateway, point: {{twin_id: vav-101.sat}}}}
  - {{source: gateway, point: {{twin_id: vav-102.zat}}}}
  - {{source: gateway, point: {{twin_id: a.101.zat}}, rule: lab}}
  - {{source: gateway, point: {{twin_id: b.zat}}}}
"""


@pytest.fixture
def sync(store: TwinStore, tmp_path: Path) -> TwinSync:
    campus = tmp_path / "campus.yaml"
    campus.write_text(CAMPUS)
    store.load([IMPORTERS["twin"].parse(campus)])
    path = tmp_path / "bindings.yaml"
    path.write_text(BINDINGS.format(dir=tmp_path))
    return TwinSync(read_bindings(path), store, file=str(path))


def threshold_issues(store: TwinStore) -> set[str]:
    rows = store.read(
        "drift/issues_list", statuses=None, types=["threshold"], twin_id=None, limit=50
    )
    return {r["issue"]["twin_id"] for r in rows}


def test_a_selector_gives_every_zone_temperature_within_a_building_its_thresholds(store, sync):
    """Subclasses count (Warmest_Zone_Air_Temperature_Sensor); a point outside bldg-a or of
    another class is not selected; a binding naming its own rule keeps it."""
    when = datetime.now(UTC) - timedelta(seconds=1)

    async def go() -> None:
        for twin_id in ("vav-101.zat", "vav-101.sat", "vav-102.zat", "a.101.zat", "b.zat"):
            sync.pipeline.submit(Reading("gateway", twin_id, 28.0, when))
        await sync.pipeline.close()

    asyncio.run(go())
    assert threshold_issues(store) == {"vav-101.zat", "vav-102.zat"}
    watched = sync.pipeline.staleness.watched
    assert watched == 2  # the comfort rule's staleness limit, on the two selected points


def test_points_pushed_to_an_open_source_follow_the_selectors_too(store, sync):
    async def go() -> None:
        body = {"source": "open", "readings": [
            {"point": "vav-101.zat", "value": 17.0, "at": datetime.now(UTC).isoformat()},
            {"point": "b.zat", "value": 17.0, "at": datetime.now(UTC).isoformat()},
        ]}  # fmt: skip
        await sync.http.push(TelemetryPush.model_validate(body), "test")
        await sync.pipeline.close()

    asyncio.run(go())
    assert threshold_issues(store) == {"vav-101.zat"}


def test_the_api_answers_each_points_thresholds_from_the_rule_its_values_come_under(sync):
    """`Node.thresholds` (the point view draws it): a selector's rule, a binding's own rule,
    and none where the rule sets no thresholds."""
    context = SimpleNamespace(services=SimpleNamespace(telemetry=sync))
    parents = [{"twin_id": t} for t in ("vav-101.zat", "a.101.zat", "vav-101.sat")]
    bands = asyncio.run(thresholds(context, parents))  # type: ignore[arg-type]
    assert [b and (b["rule"], b["warning_low"], b["warning_high"]) for b in bands] == [
        ("comfort", 19.0, 26.0),
        ("lab", None, 30.0),
        None,
    ]
