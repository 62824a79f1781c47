"""`nodes(kind:)` pages by one seek of the (kind, twin_id) index (api/nodes_page_kind), with the
same answer as the statement for any filters (api/nodes_page), on the real Neo4j."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from graphtwin.statements import cypher
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j

CAMPUS = ROOT / "examples" / "demo-campus.yaml"
NO_FILTERS: dict[str, Any] = {
    "brick_classes": None,
    "ifc_class": None,
    "isa95_level": None,
    "name_contains": None,
    "source": None,
}


def _pages(store: TwinStore, statement: str, size: int, **filters: Any) -> list[list[str]]:
    """Every page of `statement` (`size` ids each), following the last id as nodes does."""
    pages, after = [], None
    while True:
        records, _, _ = store.driver.execute_query(
            cypher(statement), {**NO_FILTERS, **filters, "after": after, "limit": size + 1},
            database_=store.database,
        )  # fmt: skip
        ids = [r["twin_id"] for r in records]
        pages.append(ids[:size])
        if len(ids) <= size:
            return pages
        after = ids[size - 1]


def test_a_kind_pages_as_the_statement_for_any_filters(store: TwinStore):
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    kinds = Counter(n["kind"] for n in store.nodes())  # every live node, by the store
    assert {"Point", "Equipment", "Person"} <= set(kinds)
    for kind, count in kinds.items():
        by_index = _pages(store, "api/nodes_page_kind", 2, kind=kind)
        assert by_index == _pages(store, "api/nodes_page", 2, kind=kind), kind
        assert sum(len(page) for page in by_index) == count
    # the other filters still apply after the seek
    named = _pages(store, "api/nodes_page_kind", 2, kind="Point", name_contains="temp")
    assert named == _pages(store, "api/nodes_page", 2, kind="Point", name_contains="temp")
    assert 0 < sum(len(page) for page in named) < kinds["Point"]


def test_a_kind_page_reads_the_kind_twin_id_index_in_its_order(store: TwinStore):
    store.load([IMPORTERS["twin"].parse(CAMPUS)])
    summary = store.driver.execute_query(
        "EXPLAIN " + cypher("api/nodes_page_kind"),
        {**NO_FILTERS, "kind": "Person", "after": None, "limit": 501},
        database_=store.database,
    ).summary
    operators: list[tuple[str, str]] = []

    def walk(plan: dict[str, Any]) -> None:
        operators.append((plan["operatorType"].split("@")[0], str(plan["args"].get("Details"))))
        for child in plan.get("children", []):
            walk(child)

    walk(summary.plan)
    # a seek on a twin of some size (the 10,000-point building: one db hit for its no Person);
    # on a handful of nodes, with the index's statistics not yet sampled, the planner may
    # scan it instead: either way the index, in its order
    read = [d for name, d in operators if name in {"NodeIndexSeek", "NodeIndexScan"}]
    assert read and "Twin(kind, twin_id)" in read[0], operators
    # the index's order is the page's: nothing sorted, no label scanned
    names = {name for name, _ in operators}
    assert not {"Sort", "Top", "PartialSort", "PartialTop", "NodeByLabelScan"} & names, operators
