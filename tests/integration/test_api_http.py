"""The GraphQL API over HTTP: a real `graphtwin serve` on 127.0.0.1 over the real Neo4j.

Hierarchy, flow, points, identity, lineage, imports and point values, and the guards: API keys
(401), roles (403), depth, cost and page limits, and hostile input that changes nothing.
"""

from __future__ import annotations

import httpx
import pytest

from graphtwin.api.roles import Role
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import ROOT
from tests.support.api_server import ApiServer

pytestmark = pytest.mark.neo4j

CAMPUS = ROOT / "examples" / "demo-campus.yaml"


@pytest.fixture
def campus(api: ApiServer, store: TwinStore) -> ApiServer:
    """The server over the demo campus, loaded in-process (`graphtwin import` has its own tests;
    a console script per test cost seconds of start-up and proved nothing more here)."""
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    return api


def test_one_query_walks_site_to_points_with_their_live_values(campus: ApiServer):
    recorded = campus.data(
        'mutation { recordPointValues(values: [{twinId: "ahu-1.sat", value: 13.5, '
        'at: "2026-11-21T09:00:00+00:00"}]) { applied backfilled written } }',
        role=Role.OPERATOR,
    )
    assert recorded["recordPointValues"] == {"applied": 1, "backfilled": 0, "written": True}

    data = campus.data(
        """{ node(twinId: "campus") { kind children { twinId kind children(types: [CONTAINS]) {
             name children(types: [CONTAINS]) { name children(types: [LOCATED_IN]) {
               twinId points { twinId current { value unit timestamp health source } }
             } } } } } }"""
    )
    site = data["node"]
    assert site["kind"] == "Site"
    building = next(b for b in site["children"] if b["twinId"] == "bldg-a")
    level1 = next(f for f in building["children"] if f["name"] == "Level 1")
    mech = next(s for s in level1["children"] if s["name"] == "Mechanical Room")
    ahu = next(e for e in mech["children"] if e["twinId"] == "ahu-1")
    points = {p["twinId"]: p["current"] for p in ahu["points"]}
    assert points["ahu-1.sat"] == {
        "value": 13.5,
        "unit": "degC",
        "timestamp": "2026-11-21T09:00:00Z",
        "health": "ok",
        "source": "http",  # the API's http source; the audit log names the operator
    }
    assert points["ahu-1.sat-sp"]["health"] == "unknown"


def test_an_older_value_does_not_replace_a_newer_one_it_is_backfilled(campus: ApiServer):
    mutation = (
        "mutation($at: String!) { recordPointValues(values: "
        '[{twinId: "vav-101.zat", value: 21.0, at: $at}]) { applied backfilled } }'
    )
    newer = campus.data(mutation, role=Role.OPERATOR, variables={"at": "2026-11-21T10:00:00Z"})
    older = campus.data(mutation, role=Role.OPERATOR, variables={"at": "2026-11-21T09:00:00Z"})
    assert newer["recordPointValues"] == {"applied": 1, "backfilled": 0}
    assert older["recordPointValues"] == {"applied": 0, "backfilled": 1}
    current = campus.data('{ node(twinId: "vav-101.zat") { current { timestamp } } }')
    assert current["node"]["current"]["timestamp"] == "2026-11-21T10:00:00Z"


def test_parents_ancestors_and_descendants_follow_the_hierarchy(campus: ApiServer):
    data = campus.data(
        """{ node(twinId: "ahu-1.sat") { parent { twinId } ancestors { twinId } }
             building: node(twinId: "bldg-a") { descendants(kinds: ["Point"], first: 50) { twinId }
               shallow: descendants(maxDepth: 1) { kind } } }"""
    )
    assert data["node"]["parent"] == {"twinId": "ahu-1"}
    ancestors = [a["twinId"] for a in data["node"]["ancestors"]]
    assert ancestors == ["ahu-1", "bldg-a.l1.mech", "bldg-a.l1", "bldg-a", "campus"]
    points = {p["twinId"] for p in data["building"]["descendants"]}
    # The VAVs only SERVE rooms (no LOCATED_IN): their points are not in the building's tree.
    assert points == {"ahu-1.sat", "ahu-1.sat-sp", "ahu-1.fan-status"}
    assert {n["kind"] for n in data["building"]["shallow"]} <= {"Floor", "Zone"}


def test_flow_walks_feeds_both_ways_bounded_by_depth(campus: ApiServer):
    data = campus.data(
        """{ node(twinId: "ahu-1") { downstream { twinId } one: downstream(maxDepth: 1) { twinId } }
             vav: node(twinId: "vav-101") { upstream { twinId } } }"""
    )
    downstream = [n["twinId"] for n in data["node"]["downstream"]]
    assert {"vav-101", "vav-201", "vav-202"} <= set(downstream)
    assert len(downstream) == len(set(downstream))  # each node once
    assert {n["twinId"] for n in data["node"]["one"]} == {"vav-101", "vav-201", "vav-202"}
    assert {n["twinId"] for n in data["vav"]["upstream"]} >= {"ahu-1"}


def test_a_cycle_in_feeds_ends(campus: ApiServer, tmp_path, store: TwinStore):
    loop = tmp_path / "loop.yaml"
    loop.write_text(
        "graphtwin: 1\nsource: loop\nnodes:\n"
        "  - {id: p1, kind: Equipment, name: Pump 1, links: {FEEDS: [p2]}}\n"
        "  - {id: p2, kind: Equipment, name: Pump 2, links: {FEEDS: [p3]}}\n"
        "  - {id: p3, kind: Equipment, name: Pump 3, links: {FEEDS: [p1]}}\n"
    )
    store.load([IMPORTERS["twin"].parse(loop)])
    data = campus.data('{ node(twinId: "p1") { downstream(maxDepth: 50) { twinId } } }')
    assert [n["twinId"] for n in data["node"]["downstream"]] == ["p2", "p3"]


def test_lists_page_with_cursors_and_search_finds_by_name(campus: ApiServer):
    query = """query($after: String) { nodes(kind: "Point", first: 3, after: $after) {
                 items { twinId } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = campus.data(query, variables={"after": after})["nodes"]
        seen += [n["twinId"] for n in page["items"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7
    found = campus.data('{ search(text: "supply air temp") { twinId } }')["search"]
    assert {"ahu-1.sat", "ahu-1.sat-sp"} <= {n["twinId"] for n in found}
    # a name as written, punctuation and all: the index splits "VAV-202" into vav and 202
    hyphenated = campus.data('{ search(text: "VAV-202") { twinId } }')["search"]
    assert "vav-202" in {n["twinId"] for n in hyphenated}


def test_origin_ids_properties_and_same_as_cluster(campus: ApiServer):
    data = campus.data(
        """{ node(twinId: "ahu-1") { brickClass labels origin { brickClass ifcGuid }
             property(key: "brick_class") sameAs { twinId }
             relationships(types: [SAME_AS]) { type confidence method other { twinId } } } }"""
    )
    node = data["node"]
    assert node["brickClass"] == "Air_Handling_Unit" and "Equipment" in node["labels"]
    assert node["property"] == "Air_Handling_Unit"
    clustered = {n["twinId"] for n in node["sameAs"]}
    assert clustered == {r["other"]["twinId"] for r in node["relationships"]}
    assert clustered, "the campus links AHU-1 to its BIM twin"


def test_lineage_names_sources_runs_and_who_set_each_property(campus: ApiServer):
    query = """{ node(twinId: "ahu-1") { lineage {
        sources { sourceId format fileName sha256 importedAt keys }
        importRuns { sourceId at keys }
        properties { key sourceId changedAt assertedBy } } } }"""
    lineage = campus.data(query, role=Role.AUDITOR)["node"]["lineage"]
    [source] = lineage["sources"]
    assert source["fileName"] == "demo-campus.yaml" and len(source["sha256"]) == 64
    attribution = {p["key"]: p for p in lineage["properties"]}
    assert attribution["brick_class"]["sourceId"] == source["sourceId"]
    assert lineage["importRuns"] and lineage["importRuns"][0]["sourceId"] == source["sourceId"]
    asserted = campus.data(
        "query($id: String!) { source(sourceId: $id) { format assertions(first: 500) "
        "{ items { twinId } } } }",
        role=Role.AUDITOR,
        variables={"id": source["sourceId"]},
    )["source"]
    assert "ahu-1" in {n["twinId"] for n in asserted["assertions"]["items"]}


def test_a_request_without_a_valid_key_gets_401(campus: ApiServer):
    query = '{ node(twinId: "ahu-1") { name } }'
    assert campus.post(query, role=None).status_code == 401
    assert campus.post(query, token="gt_000000000000_" + "x" * 43).status_code == 401
    assert campus.post(query, token="not-a-key").status_code == 401
    assert httpx.get(f"{campus.url}/metrics").status_code == 401
    health = httpx.get(f"{campus.url}/healthz")
    assert health.status_code == 200 and health.json()["neo4j"] == "reachable"


def test_a_role_without_the_permission_gets_403_and_nothing_runs(campus: ApiServer):
    lineage = campus.post('{ node(twinId: "ahu-1") { lineage { sources { sourceId } } } }')
    assert lineage.status_code == 403
    assert lineage.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    write = campus.post(
        'mutation { recordPointValues(values: [{twinId: "ahu-1.sat", value: 99}]) { applied } }',
        role=Role.AUDITOR,
    )
    assert write.status_code == 403
    current = campus.data('{ node(twinId: "ahu-1.sat") { current { value } } }')
    assert current["node"]["current"]["value"] is None


def test_depth_cost_and_page_limits_refuse_abusive_queries(campus: ApiServer):
    deep = '{ node(twinId: "campus") { ' + "children { " * 12 + "twinId" + " }" * 14
    costly = (
        '{ node(twinId: "campus") { descendants(first: 1000) { descendants(first: 1000) '
        "{ twinId } } } }"
    )
    page = "{ nodes(first: 100000) { items { twinId } } }"
    for query, code in ((deep, "DEPTH_LIMIT"), (costly, "COST_LIMIT"), (page, "PAGE_LIMIT")):
        payload = campus.post(query).json()
        assert payload["data"] is None
        assert payload["errors"][0]["extensions"]["code"] == code, payload


@pytest.mark.parametrize(
    "hostile",
    [
        'ahu-1"}) DETACH DELETE n //',
        "' OR 1=1 MATCH (n) DETACH DELETE n //",
        "x} RETURN 1 UNION MATCH (n) DETACH DELETE n RETURN 1 //",
        "*:* OR name:*",
        "\\u0000; CALL dbms.killQueries([]) //",
    ],
)
def test_hostile_strings_are_values_never_cypher(campus: ApiServer, store, hostile: str):
    before = store.read("read/node_counts")
    for query in (
        "query($s: ID!) { node(twinId: $s) { name } }",
        "query($s: String!) { search(text: $s) { twinId } }",
        "query($s: String!) { nodes(kind: $s, nameContains: $s) { items { twinId } } }",
        "query($s: String!) { nodes(brickClass: $s) { items { twinId } } }",
        "query($s: String!) { nodes(source: $s) { items { twinId } } }",
        "query($s: String!) { search(text: $s, includeRetired: true) { twinId } }",
        "query($s: ID!) { nodesById(twinIds: [$s], includeRetired: true) { name } }",
        'query($s: String!) { node(twinId: "ahu-1") { property(key: $s) } }',
    ):
        response = campus.post(query, variables={"s": hostile})
        assert response.status_code == 200, response.text
    assert store.read("read/node_counts") == before


def test_an_importer_uploads_a_model_and_a_viewer_may_not(campus: ApiServer):
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f) '
        '{ file nodesCreated nodesUnchanged warnings } }", "variables": {"f": null}}'
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": ("demo-campus.yaml", CAMPUS.read_bytes(), "application/yaml"),
    }

    def upload(role: Role) -> httpx.Response:
        headers = {"Authorization": f"Bearer {campus.keys[role]}"}
        return httpx.post(campus.graphql_url, files=files, headers=headers, timeout=120)

    assert upload(Role.VIEWER).status_code == 403
    again = upload(Role.IMPORTER)
    assert again.status_code == 200, again.text
    result = again.json()["data"]["importModel"]
    assert result["file"] == "demo-campus.yaml"
    assert result["nodesCreated"] == 0 and result["nodesUnchanged"] > 0  # idempotent re-import


def test_a_bad_upload_is_refused_with_the_file_and_line_and_writes_nothing(
    campus: ApiServer, store
):
    before = store.read("read/node_counts")
    operations = (
        '{"query": "mutation($f: Upload!) { importModel(format: TWIN, file: $f) { file } }", '
        '"variables": {"f": null}}'
    )
    files = {
        "operations": (None, operations),
        "map": (None, '{"0": ["variables.f"]}'),
        "0": ("broken.yaml", b"graphtwin: 1\nsource: broken\nnodes:\n  - {id: x, kind: Nope}\n"),
    }
    headers = {"Authorization": f"Bearer {campus.keys[Role.IMPORTER]}"}
    payload = httpx.post(campus.graphql_url, files=files, headers=headers, timeout=60).json()
    [error] = payload["errors"]
    assert error["message"].startswith("broken.yaml:4: x: unknown kind 'Nope'"), error
    assert store.read("read/node_counts") == before


def test_metrics_count_operations_for_prometheus(campus: ApiServer):
    campus.data('{ node(twinId: "ahu-1") { name } }')
    headers = {"Authorization": f"Bearer {campus.keys[Role.VIEWER]}"}
    text = httpx.get(f"{campus.url}/metrics", headers=headers).text
    assert 'graphtwin_graphql_operations_total{outcome="ok",type="query"}' in text
    assert "graphtwin_http_request_seconds_bucket" in text


def test_queries_work_over_get_and_introspection_goes_through_strawberry(campus: ApiServer):
    headers = {"Authorization": f"Bearer {campus.keys[Role.VIEWER]}"}
    got = httpx.get(
        campus.graphql_url, params={"query": '{ node(twinId: "ahu-1") { name } }'}, headers=headers
    )
    assert got.status_code == 200 and got.json()["data"]["node"]["name"] == "AHU-1"
    mutation = httpx.get(
        campus.graphql_url, params={"query": "mutation { __typename }"}, headers=headers
    )
    assert mutation.status_code >= 400  # a GET never changes anything
    schema = campus.data("{ __schema { queryType { fields { name } } } }")
    fields = {f["name"] for f in schema["__schema"]["queryType"]["fields"]}
    assert {"node", "nodes", "search", "violations", "effectiveConstraints"} <= fields
