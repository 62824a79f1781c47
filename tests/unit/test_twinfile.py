"""The twin file: parsing, clear errors naming file and line, and a stable writer."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from graphtwin.errors import (
    ConflictingKindError,
    DuplicateEntityError,
    InputError,
    InvalidPropertyError,
    MalformedFileError,
    SchemaViolationError,
    UnknownKindError,
    UnknownRelationshipTypeError,
)
from importers.twinfile import TwinFileImporter, render_twin_file
from tests.conftest import ROOT

DEMO = ROOT / "examples" / "demo-campus.yaml"


def write(tmp_path: Path, text: str, name: str = "twin.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def parse(path: Path, source_id: str | None = None):
    return TwinFileImporter().parse(path, source_id=source_id)


def test_the_demo_campus_parses_into_nodes_nested_containment_and_links():
    graph = parse(DEMO)
    assert graph.source.source_id == "demo-campus"  # the file names its source
    assert graph.nodes["bldg-a.l1.r101"].kind == "Space"
    assert graph.nodes["bldg-a.l1.r101"].properties["area_m2"] == 42.5
    assert ("bldg-a.l1", "CONTAINS", "bldg-a.l1.r101") in graph.relationships
    assert ("ahu-1", "FEEDS", "vav-201") in graph.relationships
    same_as = graph.relationships[("ahu-1", "SAME_AS", "ahu-1-bim")]
    assert same_as.properties == {"confidence": 0.95, "method": "manual"}
    assert graph.nodes["ahu-1-bim"].properties["ifc_guid"] == "2O2Fr$t4X7Zf8NOew3FNr2"


def test_nodes_carry_the_line_they_were_written_on(tmp_path):
    path = write(
        tmp_path,
        """\
        graphtwin: 1
        nodes:
          - id: site
            kind: Site
            name: Site
            contains:
              - id: room
                kind: Space
                name: Room
        """,
    )
    graph = parse(path)
    assert graph.nodes["site"].location.line == 3
    assert graph.nodes["room"].location.line == 7
    assert graph.source.source_id == "twin:twin.yaml"
    assert graph.source.file_name == "twin.yaml"
    assert len(graph.source.sha256) == 64


def test_the_command_line_source_id_wins_over_the_file(tmp_path):
    path = write(tmp_path, "graphtwin: 1\nsource: from-file\nnodes: []\n")
    assert parse(path).source.source_id == "from-file"
    assert parse(path, source_id="from-cli").source.source_id == "from-cli"


@pytest.mark.parametrize(
    ("text", "error", "line", "entity", "fragment"),
    [
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n    nmae: A\n",
            SchemaViolationError,
            5,
            "a",
            "unknown field",
        ),
        ("graphtwin: 1\nnodes:\n  - id: a\n    kind: Gizmo\n", UnknownKindError, 3, "a", "Gizmo"),
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n  - id: a\n    kind: Equipment\n",
            ConflictingKindError,
            5,
            "a",
            "Space",
        ),
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n  - id: a\n    kind: Space\n",
            DuplicateEntityError,
            5,
            "a",
            "twice",
        ),
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n    links: {POWERS: [b]}\n",
            UnknownRelationshipTypeError,
            5,
            "(a)-[:POWERS]->(b)",
            "POWERS",
        ),
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Space\n    properties: {x: {y: 1}}\n",
            InvalidPropertyError,
            3,
            "a",
            "'x'",
        ),
        (
            "graphtwin: 1\nnodes:\n  - kind: Space\n    name: no id\n",
            SchemaViolationError,
            3,
            None,
            "nodes.0.id: required field is missing",
        ),
        ("graphtwin: 2\nnodes: []\n", SchemaViolationError, 1, None, "graphtwin"),
        (
            "graphtwin: 1\nnodes:\n  - id: a\n    kind: Site\n    contains:\n      - id: b\n"
            "        name: B\n",
            SchemaViolationError,
            6,
            "b",
            "kind: required field is missing",
        ),
        ("graphtwin: 1\nnodes: [\n", MalformedFileError, None, None, "invalid YAML"),
        ("- just\n- a list\n", SchemaViolationError, 1, None, "mapping"),
    ],
)
def test_bad_input_is_a_typed_error_naming_file_line_and_entity(
    tmp_path, text, error, line, entity, fragment
):
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(error) as caught:
        parse(path)
    assert isinstance(caught.value, InputError)
    assert caught.value.exit_code == 2
    assert caught.value.file == str(path)
    if line is not None:
        assert caught.value.line == line
    assert caught.value.entity == entity
    assert fragment in str(caught.value)


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as caught:
        parse(tmp_path / "nope.yaml")
    assert "not found" in str(caught.value)


def test_written_twin_files_read_back_to_the_same_graph():
    graph = parse(DEMO)
    text = render_twin_file(graph, source_id=graph.source.source_id)
    again = parse_text(text)
    assert again.source.source_id == "demo-campus"
    assert _content(again) == _content(graph)
    # and writing is deterministic, so exports diff cleanly in git
    assert render_twin_file(again, source_id="demo-campus") == text


def test_the_writer_nests_single_parent_containment_and_keeps_other_links_flat():
    text = render_twin_file(parse(DEMO))
    assert "  contains:\n  - id: bldg-a\n" in text
    assert "FEEDS: [vav-101, vav-201, vav-202]" in text
    assert "relationships:\n- from: ahu-1\n  type: SAME_AS\n  to: ahu-1-bim" in text


def test_a_containment_cycle_is_written_flat_and_survives_the_round_trip(tmp_path):
    path = write(
        tmp_path,
        """\
        graphtwin: 1
        nodes:
          - {id: a, kind: Zone, name: A, contains: [b]}
          - {id: b, kind: Zone, name: B, contains: [a]}
        """,
    )
    graph = parse(path)
    assert _content(parse_text(render_twin_file(graph))) == _content(graph)


def parse_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roundtrip.yaml"
        path.write_text(text, encoding="utf-8")
        return parse(path)


def _content(graph):
    nodes = {t: (n.kind, n.name, n.properties) for t, n in graph.nodes.items()}
    rels = {k: r.properties for k, r in graph.relationships.items()}
    return nodes, rels
