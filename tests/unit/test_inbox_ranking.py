"""The inbox's ranking and items, without a database: impact x urgency with every factor
shown, stable ties, and items built from drift issues, violations and what-if runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from graphtwin.drift.triage import proposal, refusal
from graphtwin.inbox.items import (
    Reach,
    from_drift_issue,
    from_simulation_run,
    from_violation,
    violations_unchecked,
)
from graphtwin.inbox.ranking import Impact, Urgency, rank, score
from graphtwin.reasoning.checks import Violation

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ROOM = Reach(
    "vav-101.zat",
    "VAV-101 Zone Air Temperature",
    "Point",
    zones=(("bldg-a.l1.r101", "Meeting Room 101"),),
    people=16,
    hard_constraints=1,
    responsible=("Ada Keller",),
)


def _issue(kind: str = "threshold", **changes: object) -> dict:
    issue = {
        "issue_id": f"drift:{kind}:vav-101.zat:1",
        "type": kind,
        "severity": "warning",
        "description": "zone air temperature 27.5 above 26",
        "status": "open",
        "strategy": "alert",
        "rule": "comfort",
        "evidence": "{}",
        "detected_at": (NOW - timedelta(hours=3)).isoformat(),
    }
    return issue | changes


def test_a_crossing_expected_sooner_ranks_above_one_expected_later_with_the_same_impact() -> None:
    later = from_drift_issue(
        _issue("predicted", issue_id="later", evidence=json.dumps(
            {"expected_at": (NOW + timedelta(hours=30)).isoformat(), "probability": 0.9})),
        ROOM, NOW,
    )  # fmt: skip
    sooner = from_drift_issue(
        _issue("predicted", issue_id="sooner", evidence=json.dumps(
            {"expected_at": (NOW + timedelta(hours=2)).isoformat(), "probability": 0.9})),
        ROOM, NOW,
    )  # fmt: skip
    assert later.impact == sooner.impact
    assert [i.item_id for i in rank([later, sooner])] == ["sooner", "later"]
    assert sooner.urgency.clock == "expected" and round(sooner.urgency.hours) == 2


def test_more_zones_people_and_hard_constraints_mean_more_impact() -> None:
    alone = Reach("ahu-1.sat")
    assert ROOM.impact("warning").score > alone.impact("warning").score
    assert ROOM.impact("critical").score > ROOM.impact("warning").score


def test_a_condition_that_has_lasted_longer_is_more_urgent_up_to_three_days() -> None:
    assert Urgency.ongoing(30).score > Urgency.ongoing(1).score > Urgency.ongoing(0).score
    assert Urgency.ongoing(100).score == Urgency.ongoing(72).score
    assert Urgency.ongoing(0).score >= Urgency.expected(0).score > Urgency.expected(24).score


def test_ties_keep_one_order_whatever_order_the_items_came_in() -> None:
    a = from_drift_issue(_issue(issue_id="b-issue"), ROOM, NOW)
    b = from_drift_issue(_issue(issue_id="a-issue"), ROOM, NOW)
    assert a.score == b.score
    assert [i.item_id for i in rank([a, b])] == [i.item_id for i in rank([b, a])]
    assert [i.item_id for i in rank([a, b])] == ["a-issue", "b-issue"]


def test_every_factor_of_the_score_is_in_the_because_chain() -> None:
    item = from_drift_issue(_issue(), ROOM, NOW)
    text = " ".join(item.because)
    assert item.score == score(item.impact, item.urgency)
    assert f"impact {item.impact.score:g} = criticality 2 x (1 + 1 zones" in text
    assert "2 x 1 hard" in text and "16 people / 10" in text
    assert f"urgency {item.urgency.score:g} = ongoing for 3 h" in text
    assert "Meeting Room 101" in text and "Ada Keller" in text
    assert item.because[0].startswith("Threshold drift on VAV-101 Zone Air Temperature")


def test_a_model_defect_has_no_clock_and_ranks_below_a_live_condition_of_equal_reach() -> None:
    semantic = from_drift_issue(_issue("semantic", issue_id="s"), ROOM, NOW)
    threshold = from_drift_issue(_issue(issue_id="t"), ROOM, NOW)
    assert semantic.urgency.clock == "latent" and semantic.proposal is None
    assert rank([semantic, threshold])[0].item_id == "t"


def test_only_an_open_value_issue_whose_rule_does_not_auto_correct_proposes_a_reconciliation() -> (
    None
):
    assert proposal(_issue()) is not None
    assert "auto_correct" in (proposal(_issue()) or object()).text  # type: ignore[attr-defined]
    assert "model" in (refusal(_issue("structural")) or "")
    assert "resolved" in (refusal(_issue(status="resolved")) or "")
    assert "auto-corrects" in (refusal(_issue(strategy="auto_correct")) or "")


def test_a_violation_is_an_item_that_holds_now_with_its_constraint_as_evidence() -> None:
    violation = Violation(
        kind="range", node="bldg-a.l1.r101", property="zone_air_temperature", value=27.5,
        unit="degC", compared=27.5, bound="max", limit=26.0, limit_unit="degC",
        severity="hard", when=None, constraints=(), because=(), holder="vav-101.zat",
    )  # fmt: skip
    item = from_violation(violation, Reach("bldg-a.l1.r101", "Meeting Room 101"), NOW)
    assert (item.source, item.type, item.impact.criticality) == ("violation", "range", 3.0)
    assert item.urgency.clock == "ongoing" and item.evidence["limit"] == 26.0
    assert "above the hard max 26" in item.title


def test_a_what_if_run_that_cuts_supply_is_a_single_point_of_failure_finding() -> None:
    first = {"node": "bldg-a.l1.r101", "property": "air_temperature", "bound": "max",
             "limit": 26.0, "unit": "degC", "severity": "hard",
             "first_at": (NOW + timedelta(hours=4)).isoformat(), "because": "EN 16798"}  # fmt: skip
    summary = {"outcomes": [{"name": "inaction", "first_violation": first, "impact": {
        "removed": ["ahu-1"], "lost": ["vav-101", "vav-201"], "partly": []}}]}  # fmt: skip
    run = {"run_id": "run-1", "scenario": "AHU-1 trips", "summary": json.dumps(summary)}
    items = from_simulation_run(run, {"ahu-1": Reach("ahu-1", "AHU-1")}, NOW)
    assert [i.type for i in items] == ["single_point_of_failure", "foreseen_violation"]
    spof = items[0]
    assert spof.twin_id == "ahu-1" and spof.impact.zones == 2 and spof.run_id == "run-1"
    assert round(spof.urgency.hours) == 4 and "single point of failure" in " ".join(spof.because)
    quiet = {"outcomes": [{"name": "inaction", "impact": {"removed": [], "lost": []}}]}
    assert from_simulation_run({"run_id": "r2", "summary": json.dumps(quiet)}, {}, NOW) == []


def test_impact_and_urgency_explain_their_formula() -> None:
    assert Impact(3, zones=2).explain().startswith("impact 9 = criticality 3 x (1 + 2 zones")
    assert "x probability 0.5" in Urgency.expected(1, probability=0.5).explain()
    assert Urgency.latent(24 * 60).score == 2.0


def test_violations_left_unchecked_are_said_so_and_rank_below_any_real_item() -> None:
    note = violations_unchecked(["campus"], within_s=3)
    assert note.title.startswith("Constraint violations under campus were not checked")
    assert "Narrow the scope" in " ".join(note.because)
    real = from_drift_issue(_issue("semantic"), Reach("p"), NOW)
    assert rank([note, real])[-1] is note
