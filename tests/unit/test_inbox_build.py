"""The inbox's build: drift issues ranked before their items are built, and only the `first`
built, give the same items in the same order as building and ranking every one."""

from __future__ import annotations

import json
from datetime import timedelta

from graphtwin.inbox.items import Reach, from_drift_issue
from graphtwin.inbox.reader import build
from graphtwin.reasoning.checks import Violation
from tests.unit.test_inbox_ranking import NOW, ROOM, _issue

SOON = json.dumps({"expected_at": (NOW + timedelta(hours=2)).isoformat(), "probability": 0.9})


def test_the_first_items_are_those_of_the_whole_ranking_and_only_they_are_built() -> None:
    issues = [
        {"issue": _issue("predicted", issue_id="soon", evidence=SOON), "twin_id": ROOM.twin_id},
        {"issue": _issue("semantic", issue_id="defect"), "twin_id": ROOM.twin_id},
        {"issue": _issue(issue_id="alone"), "twin_id": "ahu-1.sat"},
        {"issue": _issue(issue_id="room", severity="critical"), "twin_id": ROOM.twin_id},
    ]
    violation = Violation(
        kind="range", node="bldg-a.l1.r101", property="zone_air_temperature", value=27.5,
        unit="degC", compared=27.5, bound="max", limit=26.0, limit_unit="degC",
        severity="hard", when=None, constraints=(), because=(), holder="vav-101.zat",
    )  # fmt: skip
    reaches = {ROOM.twin_id: ROOM, "bldg-a.l1.r101": Reach("bldg-a.l1.r101", "Room 101")}
    every = build(issues, [violation], [], reaches, NOW)
    assert len(every) == 5 and {i.source for i in every} == {"drift", "violation"}
    for first in (1, 2, 3, 5, 9):
        assert build(issues, [violation], [], reaches, NOW, first=first) == every[:first]
    top = build(issues, [violation], [], reaches, NOW, first=2)
    assert any(item.source == "drift" for item in top)
    by_id = {row["issue"]["issue_id"]: row for row in issues}
    for item in top:  # a drift issue's item is built whole: because, evidence and all
        if item.source == "drift":
            row = by_id[item.item_id]
            assert item == from_drift_issue(row["issue"], reaches.get(row["twin_id"]) or
                                            Reach(row["twin_id"]), NOW)  # fmt: skip
