"""Generated docs stay in step with the code."""

from __future__ import annotations

import json

import jsonschema

from graphtwin.yamlio import load_yaml
from importers.governance.schema import governance_json_schema
from importers.twinfile.schema import twin_file_json_schema
from tests.conftest import ROOT


def test_the_published_twin_file_json_schema_is_current():
    published = json.loads((ROOT / "docs" / "twin-file.schema.json").read_text())
    assert published == twin_file_json_schema(), (
        "docs/twin-file.schema.json is stale: run "
        "`.venv/bin/graphtwin schema twin-file > docs/twin-file.schema.json`"
    )


def _examples(format_key: str) -> list[dict]:
    """The example files of one format, told apart by their version key."""
    loaded = [load_yaml(path)[0] for path in sorted((ROOT / "examples").glob("*.yaml"))]
    return [data for data in loaded if format_key in data]


def test_every_example_twin_file_validates_against_the_json_schema():
    examples = _examples("graphtwin")
    assert len(examples) >= 2
    for data in examples:
        jsonschema.validate(data, twin_file_json_schema())


def test_the_published_governance_json_schema_is_current():
    published = json.loads((ROOT / "docs" / "governance.schema.json").read_text())
    assert published == governance_json_schema(), (
        "docs/governance.schema.json is stale: run "
        "`.venv/bin/graphtwin schema governance > docs/governance.schema.json`"
    )


def test_every_example_governance_file_validates_against_the_json_schema():
    examples = _examples("graphtwin-governance")
    assert examples
    for data in examples:
        jsonschema.validate(data, governance_json_schema())


def test_the_json_schema_refuses_an_unknown_kind():
    schema = twin_file_json_schema()
    bad = {"graphtwin": 1, "nodes": [{"id": "a", "kind": "Gizmo"}]}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "Gizmo" in exc.message
    else:
        raise AssertionError("an unknown kind passed the JSON Schema")
