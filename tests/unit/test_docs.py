"""Generated docs stay in step with the code."""

from __future__ import annotations

import json

import jsonschema

from graphtwin.yamlio import load_yaml
from importers.twinfile.schema import twin_file_json_schema
from tests.conftest import ROOT


def test_the_published_twin_file_json_schema_is_current():
    published = json.loads((ROOT / "docs" / "twin-file.schema.json").read_text())
    assert published == twin_file_json_schema(), (
        "docs/twin-file.schema.json is stale: run "
        "`.venv/bin/graphtwin schema twin-file > docs/twin-file.schema.json`"
    )


def test_every_example_twin_file_validates_against_the_json_schema():
    schema = twin_file_json_schema()
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert examples
    for path in examples:
        data, _ = load_yaml(path)
        jsonschema.validate(data, schema)


def test_the_json_schema_refuses_an_unknown_kind():
    schema = twin_file_json_schema()
    bad = {"graphtwin": 1, "nodes": [{"id": "a", "kind": "Gizmo"}]}
    try:
        jsonschema.validate(bad, schema)
    except jsonschema.ValidationError as exc:
        assert "Gizmo" in exc.message
    else:
        raise AssertionError("an unknown kind passed the JSON Schema")
