"""The what-if, decision and audit pages in headless Chromium: an operator runs a what-if from
the form and sees its chart (a uPlot line per variant, inaction and the action), accepts the
action with a note and finds it in the decision log; an auditor opens the audit page. Each page
loads with no console error and no serious or critical axe-core violation. Screenshots:
whatif, decisions, audit.

The demo campus is loaded as every flight deck test has it, with current values on its zone
sensors and its AHU's supply temperature. Its VAV boxes serve rooms of Building A but are
located nowhere (as in many Brick models); the what-if still finds the rooms they serve.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from graphtwin.store import TwinStore
from tests.support.api_server import ApiServer
from tests.support.browser import Deck, axe_violations, console_errors, flight_deck, screenshot

pytestmark = pytest.mark.neo4j

ROOMS = ("bldg-a.l1.r101", "bldg-a.l2.r201", "bldg-a.l2.r202")
VALUES = {"vav-101.zat": 23.0, "vav-201.zat": 24.0, "vav-202.zat": 24.5, "ahu-1.sat": 13.0}
NOTE = "tenants in the west wing first"


@pytest.fixture(scope="module")
def deck(api_server: ApiServer, neo4j_settings: Settings) -> Iterator[Deck]:
    with flight_deck(api_server, neo4j_settings) as deck:
        at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        with TwinStore.open(neo4j_settings) as store:
            store.write(
                "api/point_values_set",
                rows=[{"twin_id": k, "value": v, "at": at, "quality": "good", "source": "bms"}
                      for k, v in VALUES.items()],
            )  # fmt: skip
        yield deck


def _clean(deck: Deck, name: str) -> None:
    """No console error and no serious or critical axe violation; its screenshot taken."""
    assert console_errors(deck.driver) == []
    assert axe_violations(deck.driver) == []
    screenshot(deck.driver, name)


def _fill(deck: Deck, fields: dict[str, str]) -> None:
    from selenium.webdriver.support.ui import Select

    for name, value in fields.items():
        element = deck.find(f"#{name}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def test_an_operator_runs_a_what_if_and_sees_inaction_and_the_action_drawn(deck: Deck):
    deck.open("/whatif?trip=ahu-1", Role.OPERATOR)
    assert deck.find("#intervention_target").get_attribute("value") == "ahu-1"
    assert axe_violations(deck.driver) == []
    _fill(deck, {"horizon": "1h", "outdoor": "constant", "outdoor_value": "32",
                 "action_0_name": "halve the gains", "action_0_type": "occupancy",
                 "action_0_target": "bldg-a.l2.r201", "action_0_value": "0.5"})  # fmt: skip
    deck.find("form.whatif-form button[type=submit]").click()
    deck.wait(lambda d: "/whatif/runs/" in d.current_url, "the run's page did not open")
    deck.wait(
        lambda d: d.execute_script("return document.querySelector('figure.whatif-chart canvas')"),
        "no chart was drawn",
    )
    series = deck.driver.execute_script(
        "const f = document.querySelector('figure.whatif-chart');"
        "return [f.querySelector('figcaption').textContent, f.uplot.series.length - 1,"
        "        f.uplot.series.slice(1).map(s => s.label)];"
    )
    caption, lines, labels = series
    assert caption in {f"{room} (degC)" for room in ROOMS}
    assert (lines, labels) == (2, ["inaction", "halve the gains"])
    ranked = deck.driver.execute_script(
        "return [...document.querySelectorAll('table.ranking tbody th')].map(e => e.textContent)"
    )
    assert sorted(ranked) == ["halve the gains", "inaction"]
    deck.driver.execute_script("document.querySelector('table.ranking').scrollIntoView()")
    _clean(deck, "whatif")


def test_an_accepted_action_is_in_the_decision_log_with_its_note(deck: Deck):
    runs = deck.driver.current_url
    assert "/whatif/runs/" in runs, "runs after the what-if test, on its run's page"
    _fill(deck, {"action": "halve the gains", "note": NOTE})
    deck.find("form.accept-form button[type=submit]").click()
    deck.wait(lambda d: d.current_url.endswith("/decisions"), "the decision log did not open")
    decision = deck.find("section.decision")
    assert NOTE in decision.text and "halve the gains" in decision.text
    assert "Not enough history yet" in decision.text or "Compared" in decision.text
    _clean(deck, "decisions")


def test_the_audit_page_shows_an_auditor_the_verified_log_and_a_nodes_lineage(deck: Deck):
    deck.open("/audit?node=bldg-a.l2.r201", Role.AUDITOR)
    assert "Verified" in deck.find("#chain-heading + p").text
    log = deck.find("table.audit-log").text
    assert "action_accepted" in log and "simulated" in log
    assert "area_m2" in deck.driver.page_source
    _clean(deck, "audit")
