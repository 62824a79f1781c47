"""Headless Chromium for the browser tests: the flight deck's and GraphiQL's.

The Debian `chromium` and `chromium-driver` packages (the test set-up installs them) driven by
selenium; a test is skipped, naming the package, where either is absent. The flight deck's
browser tests share one browser per module on the session's `api_server`:

    @pytest.fixture(scope="module")
    def deck(api_server, neo4j_settings):
        with flight_deck(api_server, neo4j_settings) as deck:  # the demo campus loaded
            yield deck

    def test_the_inbox_loads_signed_in_as_an_operator(deck):
        deck.open("/inbox", Role.OPERATOR)
        assert not console_errors(deck.driver)
        assert not axe_violations(deck.driver)
        screenshot(deck.driver, "inbox")
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.support.api_server import ApiServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
DEMO_CAMPUS = ROOT / "examples" / "demo-campus.yaml"
WAIT_S = 30  # the test machine has two cores; Chromium and the server share them
SERIOUS = ("serious", "critical")


def chromium() -> Any:
    """A headless Chromium driven through the distribution's chromedriver (the caller quits
    it); the test is skipped when either package is absent."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.is_file():
            pytest.skip(f"{path} is absent: install the Debian package `{package}`")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium-manager (which would download one) is never run.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1400, 900)
    driver.set_page_load_timeout(60)
    return driver


def console(driver: Any) -> str:
    """The browser console since last read, one line per message (for assertion messages)."""
    return "\n".join(f"{e['level']}: {e['message']}" for e in driver.get_log("browser"))


def console_errors(driver: Any) -> list[str]:
    """The console's errors (SEVERE: a failed script, a refused CSP, a 4xx/5xx load) since
    last read."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def sign_in(driver: Any, server: ApiServer, role: Role, path: str = "/inbox") -> None:
    """Sign in as `role` the way `make demo`'s link does (the key in the URL fragment) and wait
    for `path` to load signed in."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")  # the same URL with another fragment would not load the page
    driver.get(f"{server.url}{path}#api_key={server.keys[role]}")
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script(
            "const role = document.querySelector('.who .role');"
            "return document.readyState === 'complete' && !!role"
            "  && role.textContent === arguments[0]",
            role.value,
        ),
        f"not signed in as {role.value} at {path}: {driver.current_url}",
    )


def axe_violations(driver: Any, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core's violations of `impacts` (serious and critical) on the page now shown: each a
    dict with id, impact, help and the nodes' selectors (for the assertion message)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is absent: run scripts/vendor-web.sh")
    driver.set_script_timeout(WAIT_S)
    # Injected as text through the driver: the page's CSP governs its own scripts, not this.
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations)),"
        "      e => done(JSON.stringify({error: String(e)})));"
    )
    found = json.loads(result)
    if isinstance(found, dict):
        pytest.fail(f"axe-core failed: {found['error']}")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in found
        if v["impact"] in impacts
    ]


def screenshot(driver: Any, name: str) -> Path:
    """A PNG of the page to `$GRAPHTWIN_UI_SCREENSHOTS/<name>.png` (docs/ui/*.png are committed
    from a run with GRAPHTWIN_UI_SCREENSHOTS=docs/ui), else to a temporary folder."""
    folder = Path(os.environ.get("GRAPHTWIN_UI_SCREENSHOTS") or tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    return path


@dataclass
class Deck:
    """A browser on the flight deck of `server`, with the demo campus loaded."""

    driver: Any
    server: ApiServer
    signed_in_as: Role | None = field(default=None)

    def open(self, path: str, role: Role = Role.VIEWER) -> None:
        """Open `path` signed in as `role` (signing in again only when the role changes) and
        wait for it to load. The console is read empty BEFORE the page loads, so what the
        page logs while loading is left for `console_errors` (what came before is not its)."""
        console(self.driver)
        if self.signed_in_as != role:
            self.driver.delete_all_cookies()
            sign_in(self.driver, self.server, role, path)
            self.signed_in_as = role
        else:
            self.driver.get(f"{self.server.url}{path}")

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def wait(self, condition: Any, message: str = "") -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_S).until(condition, message)


def load_demo_campus(settings: Settings) -> None:
    """An emptied twin with `examples/demo-campus.yaml` loaded."""
    with TwinStore.open(settings) as store:
        store.reset()
        store.load([IMPORTERS["twin"].parse(DEMO_CAMPUS)])


@contextmanager
def flight_deck(server: ApiServer, settings: Settings) -> Iterator[Deck]:
    """One browser for a module's tests, on the demo campus (see the module's docstring)."""
    load_demo_campus(settings)
    driver = chromium()
    try:
        yield Deck(driver, server)
    finally:
        driver.quit()
