"""The governance file: regulations, constraints, procedures, people and roles as twin nodes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graphtwin.errors import SchemaViolationError
from importers.governance import GovernanceImporter
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "riverside-governance.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_the_example_gives_regulations_with_constraints_procedures_people_and_roles():
    graph = GovernanceImporter().parse(EXAMPLE)
    kinds = {n.kind for n in graph.nodes.values()}
    assert kinds == {"Role", "Person", "Regulation", "Constraint", "Procedure"}
    assert graph.source.source_id == "riverside-governance"
    temp = graph.nodes["en16798-office-temperature"]
    assert (temp.properties["min"], temp.properties["max"]) == (20.0, 26.0)
    assert temp.properties["unit"] == "degC" and temp.properties["severity"] == "hard"
    assert ("reg-en16798-cat2", "HAS_PART", "en16798-office-temperature") in graph.relationships
    # explicit ids are relationships; attribute filters stay on the node as its selector
    assert (
        "en16798-office-temperature",
        "APPLIES_TO",
        "urn:riverside:bldg-b/office-201",
    ) in graph.relationships
    assert temp.properties["selects_as"] == "APPLIES_TO"
    assert temp.properties["selects_kind"] == "Space"
    assert temp.properties["selects_brick_class"] == "Office"
    assert ("person-sam", "MEMBER_OF", "role-hvac-technician") in graph.relationships
    assert ("role-hvac-technician", "RESPONSIBLE_FOR", "proc-ahu-filter-change") in (
        graph.relationships
    )
    assert graph.nodes["role-hvac-technician"].properties["selects_as"] == "RESPONSIBLE_FOR"
    assert graph.nodes["proc-ahu-filter-change"].properties["interval_days"] == 90


def test_a_constraint_without_a_name_is_named_after_its_limits(tmp_path):
    path = write(
        tmp_path,
        """
        graphtwin-governance: 1
        regulations:
          - id: reg
            name: House rule
            constraints:
              - {id: c1, property: co2, max: 1000, unit: ppm, severity: soft,
                 applies_to: {kind: Space}}
        """,
    )
    assert GovernanceImporter().parse(path).nodes["c1"].name == "co2 <= 1000 ppm"


@pytest.mark.parametrize(
    ("body", "line", "entity", "fragment"),
    [
        (
            """
            graphtwin-governance: 1
            regulations:
              - id: reg
                name: House rule
                constraints:
                  - {id: c1, property: t, min: 26, max: 20, unit: degC, severity: hard,
                     applies_to: {kind: Space}}
            """,
            7,
            "c1",
            "min 26.0 is above max 20.0",
        ),
        (
            """
            graphtwin-governance: 1
            procedures:
              - id: p1
                name: Check
                applies_to: {}
            """,
            6,
            "p1",
            "a selector needs at least one of",
        ),
        (
            """
            graphtwin-governance: 1
            regulations:
              - id: reg
                name: House rule
                constraints:
                  - {id: c2, property: t, max: 20, unit: degC, severity: critical,
                     applies_to: {kind: Space}}
            """,
            7,
            "c2",
            "severity",
        ),
        (
            """
            graphtwin-governance: 1
            people:
              - id: ada
                name: Ada
                pager: 123
            """,
            6,
            "ada",
            "unknown field",
        ),
    ],
)
def test_bad_input_is_a_typed_error_naming_file_line_and_entity(
    tmp_path, body, line, entity, fragment
):
    path = write(tmp_path, body)
    with pytest.raises(SchemaViolationError) as caught:
        GovernanceImporter().parse(path)
    error = caught.value
    assert error.file == str(path)
    assert error.line == line
    assert error.entity == entity
    assert fragment in str(error)


def test_a_file_that_is_not_a_governance_file_is_refused(tmp_path):
    path = write(tmp_path, "graphtwin: 1\nnodes: []\n")
    with pytest.raises(SchemaViolationError, match="graphtwin-governance"):
        GovernanceImporter().parse(path)
