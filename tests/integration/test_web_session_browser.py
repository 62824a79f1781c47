"""The flight deck's frame in headless Chromium: signing in through the `#api_key=` fragment
(the link `make demo` prints), the base layout's accessibility (axe-core: no serious or critical
violation), no console error, and the keyboard: Tab reaches the skip link first, then the nav."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from tests.support.api_server import ApiServer
from tests.support.browser import (
    Deck,
    axe_violations,
    console,
    console_errors,
    flight_deck,
    screenshot,
)

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def deck(api_server: ApiServer, neo4j_settings: Settings) -> Iterator[Deck]:
    with flight_deck(api_server, neo4j_settings) as deck:
        yield deck


def test_the_sign_in_page_has_no_serious_accessibility_violation(deck: Deck):
    deck.driver.delete_all_cookies()
    deck.signed_in_as = None
    deck.driver.get(f"{deck.server.url}/login")
    assert deck.find("label[for=api_key]").text == "API key"
    assert axe_violations(deck.driver) == []
    assert console_errors(deck.driver) == []
    screenshot(deck.driver, "login")


def test_a_key_in_the_url_fragment_signs_in_and_leaves_the_address_bar(deck: Deck):
    deck.driver.delete_all_cookies()
    deck.driver.get(f"{deck.server.url}/#api_key={deck.server.keys[Role.OPERATOR]}")
    deck.wait(lambda d: d.execute_script("return !!document.querySelector('.who')"),
              f"not signed in: {deck.driver.current_url}\n{console(deck.driver)}")  # fmt: skip
    deck.signed_in_as = Role.OPERATOR
    assert deck.driver.current_url == f"{deck.server.url}/inbox"  # the key is gone from it
    assert "test-operator" in deck.find(".who").text and "operator" in deck.find(".role").text
    cookies = {c["name"]: c for c in deck.driver.get_cookies()}
    session = cookies["graphtwin_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert deck.driver.execute_script("return document.cookie") == ""  # not readable by scripts


def test_the_base_layout_passes_axe_with_no_console_error(deck: Deck):
    deck.open("/inbox", Role.OPERATOR)  # signed in by the test before: no second sign-in
    assert axe_violations(deck.driver) == []
    assert console_errors(deck.driver) == []
    current = deck.find("nav[aria-label=Main] a[aria-current=page]")
    assert current.text == "Inbox"
    screenshot(deck.driver, "base")


def test_tab_reaches_the_skip_link_first_then_the_navigation_and_the_skip_link_jumps_to_main(
    deck: Deck,
):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    deck.open("/explorer", Role.OPERATOR)
    focused = []
    for _ in range(4):
        ActionChains(deck.driver).send_keys(Keys.TAB).perform()
        focused.append(
            deck.driver.execute_script(
                "const e = document.activeElement; return e.textContent.trim();"
            )
        )
    assert focused[0] == "Skip to main content", focused
    assert focused[2:4] == ["Inbox", "Explorer"], focused  # after the brand, the nav in order
    ActionChains(deck.driver).send_keys(Keys.TAB).perform()  # nothing may trap the focus
    deck.open("/explorer", Role.OPERATOR)
    ActionChains(deck.driver).send_keys(Keys.TAB).send_keys(Keys.ENTER).perform()
    assert deck.driver.execute_script("return document.activeElement.id") == "main"
