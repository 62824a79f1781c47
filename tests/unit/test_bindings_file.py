"""The bindings file: a mistake is a typed error naming the file, line and entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphtwin.errors import MalformedFileError, SchemaViolationError
from graphtwin.telemetry.bindings import bindings_json_schema, read_bindings
from tests.conftest import ROOT

GOOD = """graphtwin-bindings: 1
sources:
  - {id: plc, type: modbus, host: 127.0.0.1, port: 5020}
  - {id: push, type: http}
rules:
  warm: {thresholds: {warning: {high: 26}}, reconcile: alert}
bindings:
  - {source: plc, register_type: holding, address: 0, datatype: float32, point: {ref: a/b},
     rule: warm}
  - {source: push, point: {twin_id: p-1}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bindings.yaml"
    path.write_text(text)
    return path


def test_a_valid_file_reads_with_its_paths_taken_from_its_folder(tmp_path):
    spec = read_bindings(write(tmp_path, GOOD))
    assert [b.source_address for b in spec.bindings] == ["holding:0", "p-1"]
    assert spec.history.dir == tmp_path / "var/history"
    assert spec.rule_of(spec.bindings[0]).thresholds is not None


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("port: 5020", "port: 99999"), 3, "less than or equal to 65535"),
        (("point: {ref: a/b}", "point: {}"), 8, "exactly one of twin_id and ref"),
        (("rule: warm}", "rule: cold}"), 8, "unknown rule 'cold'"),
        (("source: push,", "source: nope,"), 10, "unknown source 'nope'"),
        (("{high: 26}", "{high: 26, hgih: 3}"), 6, "unknown field"),
        (("register_type: holding, ", ""), 8, "needs both register_type and address"),
    ],
)
def test_a_mistake_names_the_file_and_line(tmp_path, change, line, words):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(SchemaViolationError) as caught:
        read_bindings(path)
    assert caught.value.file == str(path)
    assert caught.value.line == line
    assert words in str(caught.value)


SELECTED = (
    GOOD
    + """selectors:
  - {brick_class: Zone_Air_Temperature_Sensor, within: bldg-a, rule: warm}
"""
)


def test_rules_can_be_declared_by_selector(tmp_path):
    spec = read_bindings(write(tmp_path, SELECTED))
    [selector] = spec.selectors
    assert (selector.brick_class, selector.within, selector.rule) == (
        "Zone_Air_Temperature_Sensor", "bldg-a", "warm",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("rule: warm}\n", "rule: cold}\n"), "unknown rule 'cold'"),
        (("brick_class: Zone_Air_Temperature_Sensor, within: bldg-a, ", ""), "brick_class, within"),
    ],
)
def test_a_selector_mistake_names_the_line_and_the_selector(tmp_path, change, words):
    path = write(tmp_path, SELECTED.replace(*change))
    with pytest.raises(SchemaViolationError) as caught:
        read_bindings(path)
    assert caught.value.line == 12
    assert words in str(caught.value)


def test_a_webhook_must_stay_on_this_machine(tmp_path):
    text = GOOD.replace("reconcile: alert}", "reconcile: alert, webhook: http://example.org/}")
    with pytest.raises(SchemaViolationError, match="this machine only"):
        read_bindings(write(tmp_path, text))


def test_broken_yaml_is_a_malformed_file_error(tmp_path):
    with pytest.raises(MalformedFileError):
        read_bindings(write(tmp_path, "sources: [\n"))


def test_the_example_bindings_are_valid_and_the_published_schema_is_current():
    assert read_bindings(ROOT / "examples" / "riverside-bindings.yaml").bindings
    published = json.loads((ROOT / "docs" / "bindings.schema.json").read_text())
    assert published == bindings_json_schema()
