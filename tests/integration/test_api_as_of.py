"""The twin as it was, through GraphQL: answers recorded at several times come back identical
when asked `asOf` those times after the twin changed (re-imports with changed properties, a
retired node, a moved relationship, new point values through the telemetry path), and the
`twinDiff` between two times is the changes made.

One database for the module (the stages build on each other), served by the real `graphtwin
serve`; values go in through its `POST /telemetry`, so they reach the history the API reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.integration.test_api_node_queries import ask
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

BUILDING_QUERY = """
query($at: DateTime) { node(twinId: "bldg", asOf: $at) {
  twinId kind name brickClass labels retired { at by } properties origin { brickClass }
  children { twinId kind name labels properties parent { twinId }
    points { twinId name properties
             current { value text unit timestamp quality source health } }
    downstream { twinId name }
    upstream { twinId }
    relationships { type direction other { twinId name } sources selector properties }
    lineage { sources { sourceId format fileName sha256 importedAt keys firstAssertedAt }
              importRuns { sourceId at keys }
              properties { key value sourceId dataSource changedAt assertedBy }
              events { at type sourceId detail } } }
  descendants(kinds: ["Point"]) { twinId current { value timestamp } }
} }"""
PAGE_QUERY = """
query($at: DateTime) {
  nodes(kind: "Equipment", asOf: $at) { items { twinId name labels ancestors { twinId } } }
  byId: nodesById(twinIds: ["ahu-1", "vav-3", "ahu-2", "ahu-1.sat"], asOf: $at) {
    twinId name labels origin { brickClass } property(key: "capacity_kw") }
  retired: node(twinId: "vav-3", includeRetired: true, asOf: $at) {
    twinId labels retired { at by } properties }
}"""


def building(
    *,
    ahu_name: str = "AHU-1",
    vav3: bool = True,
    feeds_vav2_from: str = "ahu-1",
    unit: str = "degC",
) -> str:
    """The building's twin file: an AHU feeding VAV boxes on one floor, a point each."""
    feeds = {"ahu-1": ["vav-1"], "ahu-2": []}
    feeds[feeds_vav2_from].append("vav-2")
    if vav3:
        feeds["ahu-1"].append("vav-3")
    nodes: list[dict[str, Any]] = [
        {"id": "bldg", "kind": "Building", "name": "Building", "brick_class": "Building",
         "contains": ["f1"]},
        {"id": "f1", "kind": "Floor", "name": "Floor 1",
         "contains": ["ahu-1", "vav-1", "vav-2"] + (["vav-3"] if vav3 else [])
                     + (["ahu-2"] if feeds_vav2_from == "ahu-2" else [])},
        {"id": "ahu-1", "kind": "Equipment", "name": ahu_name, "brick_class": "AHU",
         "properties": {"capacity_kw": 40 if ahu_name == "AHU-1" else 55},
         "links": {"FEEDS": feeds["ahu-1"], "HAS_POINT": ["ahu-1.sat"]}},
        {"id": "ahu-1.sat", "kind": "Point", "name": "Supply air", "properties": {"unit": unit},
         "brick_class": "Supply_Air_Temperature_Sensor"},
        {"id": "vav-1", "kind": "Equipment", "name": "VAV 1", "links": {"HAS_POINT": ["vav-1.zt"]}},
        {"id": "vav-1.zt", "kind": "Point", "name": "Zone temp 1", "properties": {"unit": "degC"},
         "brick_class": "Zone_Air_Temperature_Sensor"},
        {"id": "vav-2", "kind": "Equipment", "name": "VAV 2"},
    ]  # fmt: skip
    if vav3:
        nodes.append({"id": "vav-3", "kind": "Equipment", "name": "VAV 3"})
    if feeds_vav2_from == "ahu-2":
        nodes.append({"id": "ahu-2", "kind": "Equipment", "name": "AHU-2", "brick_class": "AHU",
                      "links": {"FEEDS": feeds["ahu-2"]}})  # fmt: skip
    return json.dumps({"graphtwin": 1, "source": "bldg", "nodes": nodes})  # YAML reads JSON


class Twin:
    """The module's twin: its store, the API and the times at which answers were recorded."""

    def __init__(self, store: TwinStore, api: ApiServer, folder: Path, settings: Any) -> None:
        self.store, self.api, self.folder, self.settings = store, api, folder, settings
        self.answers: dict[str, tuple[Any, Any]] = {}
        self.times: list[str] = []
        self.imports = 0
        self.runs: list[tuple[str, str]] = []
        """(source_id, run_id) of each import."""

    def load(self, text: str) -> None:
        self.imports += 1
        path = self.folder / f"bldg-{self.imports}.yaml"  # a new file each time: a new hash
        path.write_text(text)
        [report] = self.store.load([IMPORTERS["twin"].parse(path)], allow_retire=True)
        self.runs.append((report.source_id, report.run_id))

    def push(self, values: dict[str, float]) -> None:
        at = datetime.now(UTC) - timedelta(milliseconds=5)
        readings = [{"point": p, "value": v, "at": at.isoformat()} for p, v in values.items()]
        response = httpx.post(
            f"{self.api.url}/telemetry",
            params={"wait": "true"},
            json={"source": "http", "readings": readings},
            headers={"Authorization": f"Bearer {self.api.keys[Role.OPERATOR]}"},
            timeout=30,
        )
        assert response.status_code == 200 and response.json()["written"], response.text

    def ask(self, query: str, at: str | None, variables: dict[str, Any] | None = None) -> Any:
        return self.api.data(query, role=Role.AUDITOR, variables=variables or {"at": at})

    def record(self, name: str) -> str:
        """Record the present answers, and the time they are the answers of."""
        time.sleep(0.01)
        at = datetime.now(UTC).isoformat()
        self.answers[at] = (self.ask(BUILDING_QUERY, None), self.ask(PAGE_QUERY, None))
        time.sleep(0.01)
        return at


@pytest.fixture(scope="module")
def twin(neo4j_settings, api_server: ApiServer, tmp_path_factory) -> Iterator[Twin]:
    with TwinStore.open(neo4j_settings) as store:
        store.reset()
        twin = Twin(store, api_server, tmp_path_factory.mktemp("as-of"), neo4j_settings)
        twin.load(building())
        twin.push({"ahu-1.sat": 13.25, "vav-1.zt": 21.5})
        twin.times.append(twin.record("first import"))
        # properties change, vav-3 is retired, vav-2 is now fed by a new AHU; new values
        twin.load(building(ahu_name="AHU-1 (renewed)", vav3=False, feeds_vav2_from="ahu-2"))
        twin.push({"ahu-1.sat": 14.0, "vav-1.zt": 22.125})
        twin.times.append(twin.record("second import"))
        twin.push({"vav-1.zt": 23.0})
        twin.load(building(ahu_name="AHU-1 (renewed)", vav3=False, feeds_vav2_from="ahu-2",
                           unit="K"))  # fmt: skip
        twin.times.append(twin.record("third import"))
        twin.push({"ahu-1.sat": 290.0})  # after the last record: the present moves on
        yield twin


def test_answers_asked_as_of_each_recorded_time_are_the_answers_given_then(twin: Twin):
    assert len({json.dumps(a, sort_keys=True) for a in twin.answers.values()}) == 3
    for at, (building_then, page_then) in twin.answers.items():
        building = twin.ask(BUILDING_QUERY, at)
        assert building == building_then, (at, differences(building, building_then))
        page = twin.ask(PAGE_QUERY, at)
        assert page == page_then, (at, differences(page, page_then))


def test_the_recorded_answers_show_the_changes_that_were_made(twin: Twin):
    first, second, third = (twin.answers[t][1] for t in twin.times)
    equipment = [{n["twinId"] for n in page["nodes"]["items"]} for page in (first, second)]
    assert equipment[0] - equipment[1] == {"vav-3"}
    assert equipment[1] - equipment[0] == {"ahu-2"}
    assert [n["name"] for n in first["byId"]] == ["AHU-1", "VAV 3", "Supply air"]
    assert [n["name"] for n in third["byId"]] == ["AHU-1 (renewed)", "AHU-2", "Supply air"]
    assert [n["property"] for n in third["byId"]] == [55, None, None]
    assert first["retired"]["retired"] is None and third["retired"]["retired"]["by"]


DIFF_QUERY = """query($from: DateTime!, $to: DateTime!) { twinDiff(from: $from, to: $to) {
  nodes { added { twinId kind sources runs } removed { twinId sources runs }
          changed { twinId keys old new sources runs } }
  relationships { added { start type end sources runs } removed { start type end runs }
                  changed { start type end } } } }"""


def test_the_twin_diff_between_two_recorded_times_is_the_changes_made(twin: Twin):
    first, second, third = twin.times
    diff = twin.ask(DIFF_QUERY, None, {"from": first, "to": second})["twinDiff"]
    source, run = twin.runs[1]  # the second import made every change in the window
    nodes, rels = diff["nodes"], diff["relationships"]
    assert nodes["added"] == [{"twinId": "ahu-2", "kind": "Equipment", "sources": [source],
                               "runs": [run]}]  # fmt: skip
    assert nodes["removed"] == [{"twinId": "vav-3", "sources": [source], "runs": [run]}]
    assert nodes["changed"] == [{
        "twinId": "ahu-1", "keys": ["capacity_kw", "name"],
        "old": {"capacity_kw": 40, "name": "AHU-1"},
        "new": {"capacity_kw": 55, "name": "AHU-1 (renewed)"},
        "sources": [source], "runs": [run],
    }]  # fmt: skip
    assert {(r["start"], r["type"], r["end"]) for r in rels["added"]} == {
        ("f1", "CONTAINS", "ahu-2"), ("ahu-2", "FEEDS", "vav-2")}  # fmt: skip
    assert {(r["start"], r["type"], r["end"]) for r in rels["removed"]} == {
        ("f1", "CONTAINS", "vav-3"),
        ("ahu-1", "FEEDS", "vav-2"),
        ("ahu-1", "FEEDS", "vav-3"),
    }
    assert {r["runs"][0] for r in rels["added"] + rels["removed"]} == {run}
    assert rels["changed"] == []

    later = twin.ask(DIFF_QUERY, None, {"from": second, "to": third})["twinDiff"]
    assert [(n["twinId"], n["keys"], n["old"], n["new"]) for n in later["nodes"]["changed"]] == [
        ("ahu-1.sat", ["unit"], {"unit": "degC"}, {"unit": "K"})]  # fmt: skip
    assert later["nodes"]["changed"][0]["runs"] == [twin.runs[2][1]]  # values make no change
    assert not later["nodes"]["added"] + later["nodes"]["removed"]
    assert not any(later["relationships"].values())

    # values: true adds the points whose value differs, with the data source that wrote it
    values = twin.ask(VALUES_QUERY, None, {"from": second, "to": third})["twinDiff"]["values"]
    [zone] = values  # ahu-1.sat was not written between the two times
    assert (zone["twinId"], zone["old"]["value"], zone["new"]["value"]) == (
        "vav-1.zt", 22.125, 23.0)  # fmt: skip
    assert zone["new"]["source"] == zone["old"]["source"] and zone["new"]["source"]
    old_at, new_at = (datetime.fromisoformat(zone[k]["at"]) for k in ("old", "new"))
    assert old_at < datetime.fromisoformat(second) < new_at < datetime.fromisoformat(third)


VALUES_QUERY = """query($from: DateTime!, $to: DateTime!) {
  twinDiff(from: $from, to: $to, values: true) {
    values { twinId old { value at source } new { value at quality source } } } }"""


def test_strawberry_answers_as_the_planner_does_with_two_times_in_one_query(twin: Twin):
    first, second, _ = twin.times
    query = f"""{{ a: node(twinId: "f1", asOf: "{first}") {{ ...f }}
                  b: node(twinId: "f1", asOf: "{second}") {{ ...f }} }}
                fragment f on Node {{ children {{ twinId name downstream {{ twinId }}
                  relationships {{ type other {{ twinId name }} }} properties }} }}"""

    data, errors = ask(twin.settings, query)  # checks that both ways agree
    assert not errors, errors
    children = [{c["twinId"] for c in data[k]["children"]} for k in ("a", "b")]
    assert children[0] - children[1] == {"vav-3"} and children[1] - children[0] == {"ahu-2"}


def test_an_as_of_outside_the_history_is_an_error_naming_the_time(twin: Twin):
    for at in ["2001-01-01T00:00:00Z", (datetime.now(UTC) + timedelta(days=1)).isoformat()]:
        response = twin.api.post(BUILDING_QUERY, role=Role.AUDITOR, variables={"at": at})
        errors = response.json()["errors"]
        assert "outside the twin's history" in errors[0]["message"], errors
        assert at[:10] in errors[0]["message"]


def test_a_field_that_answers_only_for_the_present_says_so_under_as_of(twin: Twin):
    query = """query($at: DateTime) { node(twinId: "ahu-1", asOf: $at) {
               effectiveConstraints { property } } }"""
    response = twin.api.post(query, variables={"at": twin.times[0]})
    [error] = response.json()["errors"]
    assert "Node.effectiveConstraints" in error["message"]
    assert "asOf" in error["message"]
    present = twin.api.post(query, variables={"at": None}).json()
    assert not present.get("errors")


def differences(got: Any, expected: Any, path: str = "") -> list[str]:
    """Where two JSON answers differ (the first few places), for the assertion message."""
    if isinstance(got, dict) and isinstance(expected, dict):
        found = [f"{path}.{k}: missing" for k in expected.keys() - got.keys()]
        found += [f"{path}.{k}: extra" for k in got.keys() - expected.keys()]
        for k in got.keys() & expected.keys():
            found += differences(got[k], expected[k], f"{path}.{k}")
        return found[:10]
    if isinstance(got, list) and isinstance(expected, list) and len(got) == len(expected):
        return [d for i, (g, e) in enumerate(zip(got, expected, strict=True))
                for d in differences(g, e, f"{path}[{i}]")][:10]  # fmt: skip
    return [] if got == expected else [f"{path}: {got!r} != {expected!r}"]
