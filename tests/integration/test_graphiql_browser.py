"""GraphiQL works in a real browser: the page `graphtwin serve` hands to a browser at /graphql.

Headless Chromium (the Debian `chromium` and `chromium-driver` packages, driven by selenium)
opens the explorer with a viewer key in the URL fragment, a query is typed into the editor and
run with the execute button, and the answer on screen holds the imported campus. This proves the
self-hosted GraphiQL bundle renders, the fragment pre-fills the Authorization header (without it
every request is a 401), and the page loads nothing from outside 127.0.0.1 (no CDN).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import ROOT
from tests.support.browser import WAIT_S, chromium, console

pytestmark = pytest.mark.neo4j

QUERY = '{ node(twinId: "bldg-a") { name children { name } } }'
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT = ".graphiql-response .CodeMirror"
TOOLS = ".graphiql-editor-tool .CodeMirror"  # the variables and the headers editors
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _editor_value(driver, selector: str) -> str:
    return driver.execute_script(
        "const cm = document.querySelector(arguments[0]);"
        "return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : null;",
        selector,
    )


def _editor_values(driver, selector: str) -> str:
    """The text of every CodeMirror editor `selector` matches, one after the other."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".map(e => e.CodeMirror ? e.CodeMirror.getValue() : '').join('\\n');",
        selector,
    )


def test_graphiql_loads_in_headless_chromium_and_a_typed_query_returns_data(
    api, store: TwinStore, tmp_path
):
    store.load([IMPORTERS["twin"].parse(ROOT / "examples/demo-campus.yaml")])
    driver = chromium()
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    try:
        wait = WebDriverWait(driver, WAIT_S)
        driver.get(f"{api.graphql_url}#api_key={api.keys[Role.VIEWER]}")
        try:
            editor = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, QUERY_EDITOR)))
        except TimeoutException:
            pytest.fail(
                "GraphiQL did not render its query editor.\n"
                f"page text: {driver.find_element(By.TAG_NAME, 'body').text[:500]!r}\n"
                f"console:\n{console(driver)}"
            )
        bearer = f"Bearer {api.keys[Role.VIEWER]}"
        try:  # the fragment's key is in the headers editor (the variables editor is beside it)
            wait.until(lambda d: bearer in _editor_values(d, TOOLS))
        except TimeoutException:
            pytest.fail(f"headers not pre-filled: {_editor_values(driver, TOOLS)!r}")

        # The query is TYPED (no CodeMirror.setValue): click into the editor, select all, type.
        # CodeMirror closes brackets and quotes as they open, and types over the closing one
        # when it is typed next, so typing the whole query leaves exactly the query.
        editor.click()
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
        ActionChains(driver).send_keys(QUERY).perform()
        typed = _editor_value(driver, QUERY_EDITOR)
        assert typed == QUERY, f"the editor holds {typed!r} after typing"

        # GraphiQL works out the operation's name from the editor after a short debounce; run at
        # once, it would still send the pre-filled query's name (`Building`), which the server
        # rightly refuses for this anonymous query.
        time.sleep(1.0)
        driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        try:
            wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, RESULT), "Building A"))
        except TimeoutException:
            pytest.fail(
                "no result with Building A.\n"
                f"result pane: {_editor_value(driver, RESULT)!r}\n"
                f"console:\n{console(driver)}"
            )
        result = json.loads(_editor_value(driver, RESULT))
        assert "errors" not in result, result
        building = result["data"]["node"]
        assert building["name"] == "Building A"
        floors = {child["name"] for child in building["children"]}
        assert {"Level 1", "Level 2"} <= floors, floors

        screenshot = tmp_path / "graphiql.png"
        assert driver.save_screenshot(str(screenshot))
        assert screenshot.is_file() and screenshot.read_bytes()[:8] == PNG_MAGIC
        print(f"\nGraphiQL screenshot: {screenshot}")

        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert any(urlsplit(url).path.startswith("/graphiql/") for url in loaded), loaded
        outside = [url for url in loaded if urlsplit(url).hostname != "127.0.0.1"]
        assert not outside, f"the page loaded resources from elsewhere: {outside}"
        errors = [
            e["message"]
            for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]
        ]
        assert not errors, errors
        print(f"GraphiQL in Chromium: {len(loaded)} resources, {time.monotonic() - started:.1f} s")
    finally:
        driver.quit()
