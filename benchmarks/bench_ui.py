"""The flight deck's speed in a real browser: every page of the registered routers opened N
times in headless Chromium against `graphtwin serve` on the API benchmark's 10,000-point building
with 1,000 open drift issues. Measured with the Navigation Timing API
(`performance.getEntriesByType('navigation')[0]`): the server's answer is responseStart -
requestStart, interactive is domInteractive (from the navigation's start).

Targets (issue 23): every page interactive within 1 s (the inbox with its 1,000 items too), the
server's answer p95 <= 200 ms. Same-run baseline: `/healthz` opened the same way (one Neo4j
ping, no page), so the ratio is what a page costs over the server's smallest answer.

The pages are the GET routes of `graphtwin.web.pages.ROUTERS`, so pages that land later are
measured too; a route's `{twin_id}` is the building (a point's for `/points/...`), a route with
another parameter is listed as not measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import APIRoute

from benchmarks.api_building import (
    BUILDING_ID,
    BuildingShape,
    generate_building,
    open_issue_rows,
    point_value_rows,
)
from benchmarks.bench_api import percentile, running_api
from benchmarks.bench_load import BenchmarkFailedError
from benchmarks.harness import load_average, markdown_table, note
from benchmarks.neo4j_server import BenchServer
from graphtwin.store import TwinStore

INTERACTIVE_MS = 1000.0
SERVER_P95_MS = 200.0
BASELINE = "/healthz"
_TIMING = "const e = performance.getEntriesByType('navigation')[0]; return e ? e.toJSON() : null;"


@dataclass(frozen=True, slots=True)
class UiOptions:
    shape: BuildingShape = field(default_factory=BuildingShape)
    issues: int = 1000
    opens: int = 10
    """How often each page is opened (measured)."""
    warmup: int = 2
    seed: int = 42


@dataclass(slots=True)
class PageTimes:
    path: str
    fragment: bool = False
    """An htmx fragment a page loads once shown (`graphtwin.web.templates.FRAGMENT`), not a
    page: reported beside the pages, not judged by the page targets."""
    server_ms: list[float] = field(default_factory=list)
    interactive_ms: list[float] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    """The statuses of the opens answered with an error (a 504: past the query time limit)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "fragment": self.fragment,
            "server_ms": _summary(self.server_ms),
            "interactive_ms": _summary(self.interactive_ms),
            "errors": self.errors,
        }


@dataclass(slots=True)
class UiResult:
    options: UiOptions
    pages: list[PageTimes]
    baseline: PageTimes
    not_measured: list[str]
    load_avg_at_end: list[float]

    def targets(self) -> dict[str, dict[str, Any]]:
        pages = [p for p in self.pages if not p.fragment]
        slowest = max(pages, key=lambda p: _summary(p.interactive_ms)["median"])
        worst_p95 = max(_summary(p.server_ms)["p95"] for p in pages)
        inbox = [p for p in self.pages if p.path == "/inbox"]
        found = {
            "every page interactive (median)": {
                "target_ms": INTERACTIVE_MS,
                "measured_ms": _summary(slowest.interactive_ms)["median"],
                "page": slowest.path,
            },
            "server answer p95 (worst page)": {
                "target_ms": SERVER_P95_MS,
                "measured_ms": worst_p95,
            },
        }
        fragments = [p for p in self.pages if p.fragment]
        if fragments:
            late = max(fragments, key=lambda p: _summary(p.server_ms)["p95"])
            found["fragments' server answer p95 (after their page; same limit)"] = {
                "target_ms": SERVER_P95_MS,
                "measured_ms": _summary(late.server_ms)["p95"],
                "page": late.path,
            }
        if inbox:
            found[f"inbox with {self.options.issues} items interactive (median)"] = {
                "target_ms": INTERACTIVE_MS,
                "measured_ms": _summary(inbox[0].interactive_ms)["median"],
            }
        for target in found.values():
            target["met"] = target["measured_ms"] <= target["target_ms"]
        failed = sum(len(p.errors) for p in self.pages)
        found["opens answered with an error"] = {
            "target_ms": 0,
            "measured_ms": failed,
            "met": failed == 0,
        }
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "points": self.options.shape.points,
            "issues": self.options.issues,
            "opens": self.options.opens,
            "pages": [p.to_json() for p in self.pages],
            "baseline": self.baseline.to_json(),
            "not_measured": self.not_measured,
            "targets": self.targets(),
            "load_avg_at_end": self.load_avg_at_end,
        }

    def report(self) -> str:
        base_server = _summary(self.baseline.server_ms)["median"]
        base_interactive = _summary(self.baseline.interactive_ms)["median"]
        rows = []
        for page in [*self.pages, self.baseline]:
            server, interactive = _summary(page.server_ms), _summary(page.interactive_ms)
            rows.append([
                f"{page.path} (baseline)" if page is self.baseline
                else f"{page.path} (fragment)" if page.fragment else page.path,
                f"{server['median']:.1f}", f"{server['p95']:.1f}",
                f"{interactive['median']:.0f}", f"{interactive['p95']:.0f}",
                f"{server['median'] / base_server:.1f}x" if base_server else "-",
                f"{interactive['median'] / base_interactive:.1f}x" if base_interactive else "-",
                ", ".join(map(str, page.errors)) or "-",
            ])  # fmt: skip
        lines = [
            f"## Flight deck in headless Chromium: {self.options.shape.points:,} points, "
            f"{self.options.issues:,} open drift issues, each page opened {self.options.opens} "
            "times\n",
            markdown_table(
                [
                    "page",
                    "server median ms",
                    "server p95 ms",
                    "interactive median ms",
                    "interactive p95 ms",
                    "server vs baseline",
                    "interactive vs baseline",
                    "errors",
                ],
                rows,
            ),
            "",
            markdown_table(
                ["target", "limit ms", "measured ms", "met"],
                [
                    [name, t["target_ms"], f"{t['measured_ms']:.1f}", "yes" if t["met"] else "NO"]
                    for name, t in self.targets().items()
                ],
            ),
        ]
        if self.not_measured:
            lines.append(f"\nNot measured (no sample value for a parameter): {self.not_measured}")
        lines.append(f"\nLoad average at the end: {self.load_avg_at_end}")
        return "\n".join(lines)


def page_paths(point_id: str) -> tuple[list[PageTimes], list[str]]:
    """(the pages to open, the routes that cannot be) for every GET route of the flight deck's
    registered routers; `{twin_id}` is the building's id, a point's under /points."""
    from graphtwin.web.pages import ROUTERS
    from graphtwin.web.templates import FRAGMENT

    paths: list[PageTimes] = []
    skipped: list[str] = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods:
                continue
            if "." in route.path.rsplit("/", 1)[-1]:
                continue  # a download (an export), not a page
            params = set(route.param_convertors)
            if params - {"twin_id"}:
                skipped.append(route.path)
                continue
            twin_id = point_id if route.path.startswith("/points/") else BUILDING_ID
            path = route.path.replace("{twin_id:path}", twin_id).replace("{twin_id}", twin_id)
            paths.append(PageTimes(path, fragment=FRAGMENT in route.tags))
    return paths, skipped


def run_ui(options: UiOptions, server: BenchServer) -> UiResult:
    from tests.support.browser import CHROMEDRIVER, CHROMIUM

    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            raise BenchmarkFailedError(
                f"{path} is absent: install Debian's chromium and chromium-driver"
            )
    shape = options.shape
    note(f"ui: a building of {shape.points:,} points with {options.issues:,} open drift issues")
    building = generate_building(shape, seed=options.seed)
    with TwinStore.open(server.settings) as store:
        store.reset()
        store.load([building.graph])
        store.write(
            "bench/api_point_values", rows=point_value_rows(building.point_ids, seed=options.seed)
        )
        store.write("drift/issues_open", rows=open_issue_rows(building.point_ids, options.issues))
    paths, skipped = page_paths(building.point_ids[0])
    try:
        with running_api(server, role="admin") as api:
            pages, baseline = _measure(api.url, api.key, paths, options)
    finally:
        with TwinStore.open(server.settings) as store:
            store.reset()
    return UiResult(options, pages, baseline, skipped, load_average())


def _measure(
    url: str, key: str, pages: list[PageTimes], options: UiOptions
) -> tuple[list[PageTimes], PageTimes]:
    from tests.support.browser import chromium, console_errors

    driver = chromium()
    try:
        driver.get(f"{url}/login#api_key={key}")
        deadline = time.monotonic() + 60
        while driver.execute_script("return !document.querySelector('.who')"):
            if time.monotonic() > deadline:
                raise BenchmarkFailedError(f"the browser did not sign in: {driver.current_url}")
            time.sleep(0.2)
        baseline = PageTimes(BASELINE)
        everything = [*pages, baseline]
        for round_ in range(options.warmup + options.opens):
            note(f"ui: round {round_ + 1} of {options.warmup + options.opens}")
            for page in everything:  # interleaved: a slow moment spreads over every page
                driver.get(f"{url}{page.path}")
                if "/login" in driver.current_url:
                    raise BenchmarkFailedError(f"{page.path} sent the browser to sign in again")
                entry = driver.execute_script(_TIMING)
                if round_ < options.warmup:
                    continue
                if entry.get("responseStatus", 200) >= 400:
                    page.errors.append(entry["responseStatus"])
                page.server_ms.append(entry["responseStart"] - entry["requestStart"])
                page.interactive_ms.append(entry["domInteractive"])
        errors = console_errors(driver)
        if errors:
            note(f"ui: the browser's console had errors: {errors[:5]}")
        note(f"ui: {len(pages)} pages measured, {options.opens} opens each")
        return pages, baseline
    finally:
        driver.quit()


def _summary(times: list[float]) -> dict[str, float]:
    return {"median": percentile(times, 50), "p95": percentile(times, 95)}
