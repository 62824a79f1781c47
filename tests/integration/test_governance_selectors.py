"""Governance selectors follow the twin: resolved at every import, in the import's transaction."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graphtwin.store import TwinStore
from importers.governance import GovernanceImporter
from importers.twinfile import TwinFileImporter

pytestmark = pytest.mark.neo4j

RULES = """
graphtwin-governance: 1
source: rules
regulations:
  - id: reg
    name: Office climate
    constraints:
      - id: office-temp
        property: zone_air_temperature
        min: 20
        max: 26
        unit: degC
        severity: hard
        applies_to: {kind: Space, brick_class: Office}
      - id: plant-temp
        property: zone_air_temperature
        max: 35
        unit: degC
        severity: soft
        applies_to: {kind: Space, within: bldg}
procedures:
  - id: nothing-to-do
    name: Boiler check
    applies_to: {brick_class: Boiler}
"""


def building(*offices: str) -> str:
    rooms = "".join(
        f"          - {{id: {o}, kind: Space, name: {o}, brick_class: Office}}\n" for o in offices
    )
    return (
        "graphtwin: 1\nsource: bim\nnodes:\n"
        "  - id: bldg\n    kind: Building\n    contains:\n"
        "      - id: floor\n        kind: Floor\n        contains:\n"
        "          - {id: plant, kind: Space, name: Plant room}\n" + rooms
    )


def parse_twin(tmp_path: Path, text: str, name: str = "building.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return TwinFileImporter().parse(path)


def applies_to(store: TwinStore, constraint: str) -> dict[str, str | None]:
    """Target -> the selector that derived the edge (None: asserted by a source)."""
    return {
        r.other: r.selector
        for r in store.lineage(constraint).relationships
        if r.outgoing and r.type == "APPLIES_TO"
    }


def test_selectors_resolve_at_import_and_follow_later_imports(store, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    store.load([parse_twin(tmp_path, building("o1", "o2"))])
    reports = store.load([GovernanceImporter().parse(rules)])

    assert applies_to(store, "office-temp") == {"o1": "office-temp", "o2": "office-temp"}
    assert set(applies_to(store, "plant-temp")) == {"plant", "o1", "o2"}  # `within` the building
    assert reports[-1].selector_rels_created == 5
    assert "the selector of nothing-to-do matches nothing in the twin" in reports[-1].warnings

    # A new office from a later import is governed at once; a removed one stops being governed.
    reports = store.load([parse_twin(tmp_path, building("o2", "o3"))])
    assert applies_to(store, "office-temp") == {"o2": "office-temp", "o3": "office-temp"}
    # o3 gets both constraints; o1 was retired and took its relationships with it
    assert (reports[-1].selector_rels_created, reports[-1].selector_rels_deleted) == (2, 0)
    # an office turned into a lab stops being an office: only the class-based edge goes
    lab = building("o2", "o3").replace(
        "{id: o3, kind: Space, name: o3, brick_class: Office}",
        "{id: o3, kind: Space, name: o3, brick_class: Laboratory}",
    )
    reports = store.load([parse_twin(tmp_path, lab)])
    assert applies_to(store, "office-temp") == {"o2": "office-temp"}
    assert "o3" in applies_to(store, "plant-temp")
    assert (reports[-1].selector_rels_created, reports[-1].selector_rels_deleted) == (0, 1)

    # Re-importing the rules changes nothing, and export leaves derived edges out.
    again = store.load([GovernanceImporter().parse(rules)])[0]
    assert (again.nodes_created, again.nodes_updated, again.rels_created) == (0, 0, 0)
    assert (again.selector_rels_created, again.selector_rels_deleted) == (0, 0)
    exported = store.export().graph.relationships
    assert ("office-temp", "APPLIES_TO", "o2") not in exported
    assert ("reg", "HAS_PART", "office-temp") in exported


def test_an_edge_both_asserted_and_selected_outlives_the_selector(store, tmp_path):
    store.load([parse_twin(tmp_path, building("o1"))])
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    store.load([GovernanceImporter().parse(rules)])
    manual = parse_twin(
        tmp_path,
        "graphtwin: 1\nsource: manual\nrelationships:\n"
        "  - {from: office-temp, type: APPLIES_TO, to: o1}\n",
        "manual.yaml",
    )
    store.load([manual])
    store.load(
        [parse_twin(tmp_path, building("o1").replace("brick_class: Office", "brick_class: Lab"))]
    )
    # o1 is no office any more: the selector lets go, the manual assertion keeps the edge
    assert applies_to(store, "office-temp") == {"o1": None}
    edge = next(r for r in store.lineage("o1").relationships if r.other == "office-temp")
    assert edge.sources == ("manual",)
