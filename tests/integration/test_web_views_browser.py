"""The explorer, a node page, the point view and the system view in headless Chromium, on the
demo campus: each loads with no console error and no serious or critical axe-core violation,
the tree opens from the keyboard, the point chart is drawn with its forecast, the FEEDS network
is drawn, a violation found after the page marks its node, and a click on a node opens its
page. Screenshots: explorer, node, point, systems."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.support.api_server import ApiServer
from tests.support.browser import (
    WAIT_S,
    Deck,
    axe_violations,
    console,
    console_errors,
    flight_deck,
    screenshot,
)

pytestmark = pytest.mark.neo4j

FORECAST_HISTORY_STEPS = 4 * 96
"""Four days of values every 15 minutes (a forecast needs three days of history)."""
TAB_LIMIT = 30
"""Tab presses allowed to reach an element from the top of the page."""


GOVERNANCE = """
graphtwin-governance: 1
source: web-views-test
regulations:
  - id: reg-test-comfort
    name: Office comfort (test)
    constraints:
      - id: test-office-temperature
        property: zone_air_temperature
        min: 20.0
        max: 26.0
        unit: degC
        severity: hard
        applies_to: {ids: [bldg-a.l2.r202]}
"""
"""A limit on Office 202, which VAV-202 serves: its 29 degC breaks it (a violation)."""


@pytest.fixture(scope="module")
def deck(
    api_server: ApiServer, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deck]:
    with flight_deck(api_server, neo4j_settings) as deck:
        governance = tmp_path_factory.mktemp("governance") / "comfort.yaml"
        governance.write_text(GOVERNANCE, encoding="utf-8")
        with TwinStore.open(neo4j_settings) as store:
            store.load([IMPORTERS["governance"].parse(governance)])
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        readings = [  # a daily swing, every 15 minutes: enough history for a forecast
            {"point": "vav-201.zat", "value": 22 + 2 * math.sin(math.tau * i / 96),
             "at": (now - timedelta(minutes=15 * i)).isoformat()}
            for i in range(FORECAST_HISTORY_STEPS, 0, -1)
        ] + [{"point": "vav-202.zat", "value": 29.0, "at": now.isoformat()}]  # fmt: skip
        pushed = httpx.post(
            f"{api_server.url}/telemetry?wait=true",
            json={"source": "http", "readings": readings},
            headers={"Authorization": f"Bearer {api_server.keys[Role.OPERATOR]}"},
            timeout=60,
        )
        assert pushed.status_code == 200, pushed.text
        yield deck


def _show(deck: Deck, path: str) -> None:
    """Open `path` as a viewer with the console read empty BEFORE it loads, so that what the
    page logs while loading (a script's error, a refused CSP) counts (`Deck.open` reads the
    console after the load)."""
    from selenium.webdriver.support.ui import WebDriverWait

    if deck.signed_in_as is not Role.VIEWER:
        deck.open("/explorer", Role.VIEWER)
    console(deck.driver)
    deck.driver.get(f"{deck.server.url}{path}")
    WebDriverWait(deck.driver, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState === 'complete'")
    )


def _clean(deck: Deck, name: str) -> None:
    """No console error and no serious or critical axe violation on the page shown; its
    screenshot taken."""
    assert console_errors(deck.driver) == []
    assert axe_violations(deck.driver) == []
    screenshot(deck.driver, name)


def _tab_to(deck: Deck, script: str) -> int:
    """Press Tab until `script` (given the focused element) is true; the presses it took."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for presses in range(1, TAB_LIMIT + 1):
        ActionChains(deck.driver).send_keys(Keys.TAB).perform()
        if deck.driver.execute_script(f"const e = document.activeElement; return {script};"):
            return presses
    pytest.fail(f"not reached with {TAB_LIMIT} Tab presses: {script}")


def test_the_explorer_tree_opens_level_by_level_from_the_keyboard(deck: Deck):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _show(deck, "/explorer")
    _tab_to(deck, "e.tagName === 'SUMMARY' && e.textContent.includes('Riverside Campus')")
    ActionChains(deck.driver).send_keys(Keys.ENTER).perform()
    deck.wait(
        lambda d: d.execute_script(
            "return [...document.querySelectorAll('summary')]"
            ".some(s => s.textContent.includes('Building A'))"
        ),
        "opening the site did not load its buildings",
    )
    _tab_to(deck, "e.tagName === 'A' && e.textContent.includes('Open Riverside Campus')")
    _tab_to(deck, "e.tagName === 'SUMMARY' && e.textContent.includes('Building A')")
    ActionChains(deck.driver).send_keys(Keys.ENTER).perform()
    deck.wait(
        lambda d: "Level 2" in d.find_element("css selector", "main").text,
        "opening the building did not load its floors",
    )
    _clean(deck, "explorer")


def test_a_node_page_shows_its_points_with_their_state_in_words(deck: Deck):
    _show(deck, "/nodes/vav-201")
    row = deck.find("table.nodes tbody tr").text
    assert "VAV-201 Zone Air Temperature" in row and "ok" in row
    _tab_to(deck, "e.tagName === 'A' && e.getAttribute('href') === '/points/vav-201.zat'")
    _clean(deck, "node")


def test_the_point_view_draws_the_history_and_the_forecast_with_its_bands(deck: Deck):
    _show(deck, "/points/vav-201.zat")
    drawn = deck.wait(
        lambda d: d.execute_script(
            "const c = document.querySelector('#point-chart canvas');"
            "return c && c.width > 0 && document.querySelector('#point-chart').dataset.drawn;"
        ),
        "the chart was not drawn",
    )
    assert int(drawn) > 96  # a day of history and the forecast's steps on one axis
    legend = deck.find("#point-chart").text
    assert "forecast mean" in legend and "forecast 95% high" in legend
    assert "The chart draws the 80% and 95% bands" in deck.find("main").text
    _clean(deck, "point")


def test_the_system_view_draws_the_feeds_network_marks_violations_and_a_click_opens_a_node(
    deck: Deck,
):
    from selenium.webdriver.common.action_chains import ActionChains

    _show(deck, "/systems/bldg-a")
    drawn = deck.wait(
        lambda d: d.execute_script("return document.querySelector('#network').dataset.drawn"),
        "the network was not drawn",
    )
    assert drawn == "4"  # AHU-1 and the three VAV boxes it feeds
    label = deck.wait(  # the violations arrive after the page and mark the node observing one
        lambda d: d.execute_script(
            "const l = window.graphtwinNetwork.getElementById('vav-202').data('label');"
            "return l.includes('violation') && l;"
        ),
        "VAV-202's violation was not marked",
    )
    assert label == "VAV-202\n(violation)"
    assert deck.find('tr[data-node="vav-202"] .node-state').text == "violation"
    assert "above the hard max 26 degC" in deck.find("main").text
    _clean(deck, "systems")
    x, y, width, height = deck.driver.execute_script(
        "const p = window.graphtwinNetwork.getElementById('vav-202').renderedPosition();"
        "const box = document.querySelector('#network').getBoundingClientRect();"
        "return [p.x, p.y, box.width, box.height];"
    )
    canvas = deck.find("#network")
    ActionChains(deck.driver).move_to_element_with_offset(
        canvas, int(x - width / 2), int(y - height / 2)
    ).click().perform()
    deck.wait(lambda d: d.current_url.endswith("/nodes/vav-202"), "the click opened nothing")
