"""The explorer, node, point and system pages over plain HTTP (httpx, no browser), against the
session's real `graphtwin serve` with the demo campus loaded: what each page shows, and how it
says what it cannot show (an unknown twin id, a point without history, lineage for a role
without the AUDIT permission)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.config import Settings
from tests.support.api_server import ApiServer
from tests.support.browser import load_demo_campus

pytestmark = pytest.mark.neo4j

HTML = {"Accept": "text/html"}
NOW = datetime.now(UTC).replace(microsecond=0)
HISTORY = [(NOW - timedelta(hours=h), 20.0 + h / 2) for h in (5, 4, 3, 2, 1)]
"""vav-202.zat's values over the last hours (the newest, 20.5, is current). The session's
server keeps its value history across tests: other values of the point may be there too."""


@pytest.fixture(scope="module")
def campus(api_server: ApiServer, neo4j_settings: Settings) -> ApiServer:
    """The demo campus, with a few values of vav-202.zat in its history (pushed once)."""
    load_demo_campus(neo4j_settings)
    readings = [
        {"point": "vav-202.zat", "value": value, "at": at.isoformat()} for at, value in HISTORY
    ]
    pushed = httpx.post(
        f"{api_server.url}/telemetry?wait=true",
        json={"source": "http", "readings": readings},
        headers={"Authorization": f"Bearer {api_server.keys[Role.OPERATOR]}"},
        timeout=60,
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == len(HISTORY), pushed.text
    return api_server


def _client(server: ApiServer, role: Role) -> httpx.Client:
    client = httpx.Client(base_url=server.url, headers=HTML, timeout=60)
    answer = client.post("/login", data={"api_key": server.keys[role], "next": "/explorer"})
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture(scope="module")
def viewer(campus: ApiServer) -> Iterator[httpx.Client]:
    client = _client(campus, Role.VIEWER)
    yield client
    client.close()


def _text(html: str) -> str:
    """The page's text, tags dropped and white space folded (what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html,
                      re.S)  # fmt: skip
    assert match, f"no JSON script #{element_id}"
    return json.loads(match[1])


def test_the_explorer_starts_at_the_site_and_opens_one_level_at_a_time(viewer: httpx.Client):
    page = viewer.get("/explorer")
    assert page.status_code == 200
    assert "Riverside Campus" in page.text
    assert 'hx-get="/explorer/children/campus"' in page.text
    assert "Building A" not in page.text  # under the site: shown once the site opens
    level = viewer.get("/explorer/children/campus")
    assert level.status_code == 200 and "Building A" in level.text
    floors = _text(viewer.get("/explorer/children/bldg-a").text)
    assert "Level 1 Floor" in floors and "Level 2 Floor" in floors


def test_a_tree_level_longer_than_its_page_offers_more(viewer: httpx.Client):
    first = viewer.get("/explorer/children/bldg-a?first=1").text
    assert _text(first).count(" Floor ") == 1
    assert 'hx-get="/explorer/children/bldg-a?first=4"' in first and "Show more" in first


def test_a_point_in_the_tree_shows_its_value_and_state_in_words(viewer: httpx.Client):
    level = _text(viewer.get("/explorer/children/vav-202").text)
    assert "VAV-202 Zone Air Temperature Point 20.5 degC ok" in level
    assert "VAV-101 Damper Position Point no value" in _text(
        viewer.get("/explorer/children/vav-101").text
    )


def test_search_finds_nodes_by_the_start_of_their_words(viewer: httpx.Client):
    page = _text(viewer.get("/explorer", params={"q": "AHU-1"}).text)
    assert "AHU-1 Equipment" in page and "Mechanical Room" in page  # found, and where it is
    nothing = _text(viewer.get("/explorer", params={"q": "zzzqx"}).text)
    assert "0 found" in nothing and "Nothing in the twin matches" in nothing


def test_a_node_page_shows_where_it_sits_its_points_and_links_onwards(viewer: httpx.Client):
    page = viewer.get("/nodes/vav-202")
    assert page.status_code == 200
    text = _text(page.text)
    assert "VAV-202 Equipment" in text
    assert "VAV-202 Zone Air Temperature 20.5 degC ok" in text
    assert 'href="/points/vav-202.zat"' in page.text
    assert 'href="/whatif?trip=vav-202"' in page.text
    assert 'hx-get="/violations/vav-202" hx-trigger="load"' in page.text  # checked after
    assert "VAV-101 Damper Position no value" in _text(viewer.get("/nodes/vav-101").text)


def test_a_building_page_links_to_its_system_view_and_lists_its_floors(viewer: httpx.Client):
    page = viewer.get("/nodes/bldg-a")
    text = _text(page.text)
    assert 'href="/systems/bldg-a"' in page.text
    assert "Level 1 Floor" in text and "gross_floor_area_m2 4200" in text
    assert "Explorer Riverside Campus Building A" in text  # the breadcrumb


def test_the_violations_below_a_node_come_as_a_fragment_after_its_page(viewer: httpx.Client):
    fragment = viewer.get("/violations/bldg-a")
    assert fragment.status_code == 200
    assert "No current value at or below it breaks a constraint" in fragment.text
    assert "data-violations='[]'" in fragment.text  # what the system view marks: nothing
    unknown = viewer.get("/violations/no-such-node")
    assert unknown.status_code == 400 and "no-such-node" in unknown.text


def test_an_unknown_twin_id_is_a_404_page_naming_it(viewer: httpx.Client):
    for path in ("/nodes/no-such-node", "/points/no-such-node", "/systems/no-such-node",
                 "/explorer/children/no-such-node"):  # fmt: skip
        page = viewer.get(path)
        assert page.status_code == 404, path
        assert "no-such-node" in page.text, path
    equipment = viewer.get("/points/vav-202")
    assert equipment.status_code == 404 and "is not a point but Equipment" in equipment.text


def test_the_point_view_charts_its_history_and_says_why_there_is_no_forecast(
    viewer: httpx.Client,
):
    page = viewer.get("/points/vav-202.zat")
    assert page.status_code == 200
    chart = _json_script(page.text, "point-chart-data")
    drawn = dict(zip(chart["x"], chart["series"]["history"], strict=True))
    assert {int(at.timestamp()): drawn.get(int(at.timestamp())) for at, _ in HISTORY} == {
        int(at.timestamp()): value for at, value in HISTORY
    }
    assert chart["unit"] == "degC"
    text = _text(page.text)
    assert "Now: 20.5 degC ok" in text and "value(s) from" in text
    assert "No forecast:" in text  # five values are too few: the API's reason is shown
    assert "mean" not in chart["series"]  # and no invented numbers
    assert "No threshold rule judges this point" in text  # the server's built-in bindings


def test_a_point_without_history_says_so(viewer: httpx.Client):
    page = viewer.get("/points/vav-101.damper")
    assert page.status_code == 200
    assert "No history for this point in the last 24h" in _text(page.text)
    assert 'id="point-chart"' not in page.text


def test_lineage_is_shown_to_an_auditor_and_explained_to_a_viewer(
    campus: ApiServer, viewer: httpx.Client
):
    assert "needs the auditor role; your key's role is viewer" in _text(
        viewer.get("/points/vav-202.zat").text
    )
    auditor = _client(campus, Role.AUDITOR)
    try:
        text = _text(auditor.get("/points/vav-202.zat").text)
    finally:
        auditor.close()
    assert "Lineage of each property" in text
    assert "demo-campus" in text  # the import source of its properties


def test_the_system_view_draws_the_feeds_network_and_lists_it_as_a_table(viewer: httpx.Client):
    index = viewer.get("/systems")
    assert index.status_code == 200 and 'href="/systems/bldg-a"' in index.text
    page = viewer.get("/systems/bldg-a")
    assert page.status_code == 200
    graph = _json_script(page.text, "network-data")
    assert {n["id"] for n in graph["nodes"]} == {"ahu-1", "vav-101", "vav-201", "vav-202"}
    assert sorted((e["source"], e["target"]) for e in graph["edges"]) == [
        ("ahu-1", "vav-101"), ("ahu-1", "vav-201"), ("ahu-1", "vav-202"),
    ]  # fmt: skip
    states = {n["id"]: n["state"] for n in graph["nodes"]}
    assert states["vav-202"] == "ok" and states["vav-201"] == "no value"
    text = _text(page.text)
    assert "VAV-202 ok" in text and "Simulate a trip from AHU-1" in text
    assert 'href="/whatif?trip=ahu-1"' in page.text
    assert 'hx-get="/violations/bldg-a"' in page.text
