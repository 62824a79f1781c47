"""Drift labels without a database: the finding key, which labels suppress, the labels file, and
how labels become training examples (graphtwin.drift.labels, graphtwin.ml.labels)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from graphtwin.drift.labels import (
    DriftLabel,
    InvalidLabelError,
    Verdict,
    finding_key,
    label_id_for,
    labels_document,
    read_labels_file,
    suppressed_keys,
)
from graphtwin.ml.labels import Verified, apply_labels
from graphtwin.ml.manifest import model_id
from graphtwin.ml.tensors import GraphArrays, graph_arrays, relationship_types
from graphtwin.ml.training import edge_examples
from importers import IMPORTERS
from tests.support.ml_buildings import building_file

REL = {"relationship": {"start": "site.vav0", "type": "HAS_POINT", "end": "site.vav0.p1"}}


def _label(**fields: object) -> DriftLabel:
    base = DriftLabel(
        label_id="label:1",
        issue_id="1",
        twin_id="site.vav0.p0",
        type="semantic",
        rule="gnn_semantic",
        finding_key=finding_key("semantic", "gnn_semantic", "site.vav0.p0"),
        verdict=Verdict.FALSE_ALARM,
        note="checked on site",
        by="ana",
        at="2026-01-01T00:00:00.000Z",
        declared_class="Zone_Air_Temperature_Sensor",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def _edge_label(verdict: Verdict, rule: str = "gnn_wrong_relationship") -> DriftLabel:
    return _label(
        label_id=f"label:{rule}:{verdict}",
        twin_id="site.vav0.p1",
        type="structural",
        rule=rule,
        finding_key=finding_key("structural", rule, "site.vav0.p1", REL),
        verdict=verdict,
        relationship=("site.vav0", "HAS_POINT", "site.vav0.p1"),
        declared_class=None,
    )


@pytest.fixture(scope="module")
def arrays(tmp_path_factory: pytest.TempPathFactory) -> GraphArrays:
    path = building_file(tmp_path_factory.mktemp("site"), "site", vavs=3)
    return graph_arrays(IMPORTERS["twin"].parse(path))


def test_a_relationship_finding_is_keyed_by_its_relationship_and_a_node_finding_by_its_node():
    edge = finding_key("structural", "gnn_wrong_relationship", "site.vav0.p1", REL)
    other = {"relationship": {**REL["relationship"], "start": "site.vav1"}}
    assert (
        edge
        == "structural|gnn_wrong_relationship|site.vav0.p1|site.vav0-[:HAS_POINT]->site.vav0.p1"
    )
    assert finding_key("structural", "gnn_wrong_relationship", "site.vav0.p1", other) != edge
    assert (
        finding_key("semantic", "gnn_semantic", "x", {"declared": "Fan"})
        == "semantic|gnn_semantic|x"
    )


def test_only_a_findings_latest_label_decides_whether_it_is_suppressed():
    dismissed = _label()
    confirmed_later = _label(
        label_id="label:2", verdict=Verdict.CONFIRMED, at="2026-02-01T00:00:00.000Z"
    )
    assert suppressed_keys([dismissed]) == {dismissed.finding_key}
    assert suppressed_keys([confirmed_later, dismissed]) == set()


WITHDRAWN = {
    "withdrawn_at": "2026-03-01T00:00:00.000Z",
    "withdrawn_by": "bo",
    "withdrawn_note": "the sensor was moved after all",
}


def test_a_withdrawn_false_alarm_suppresses_nothing_and_an_earlier_label_counts_again():
    withdrawn = _label(**WITHDRAWN)
    assert not withdrawn.in_force and _label().in_force
    assert suppressed_keys([withdrawn]) == set()
    confirmed_before = _label(
        label_id="label:0", verdict=Verdict.CONFIRMED, at="2025-12-01T00:00:00.000Z"
    )
    dismissed_before = replace(confirmed_before, verdict=Verdict.FALSE_ALARM)
    assert suppressed_keys([confirmed_before, withdrawn]) == set()
    assert suppressed_keys([dismissed_before, withdrawn]) == {withdrawn.finding_key}


def test_the_next_label_of_an_issue_after_a_withdrawal_takes_the_next_number():
    assert label_id_for("drift:semantic:p1:1", 0) == "label:drift:semantic:p1:1"
    assert label_id_for("drift:semantic:p1:1", 2) == "label:drift:semantic:p1:1#3"


def test_a_label_in_force_has_no_withdrawn_keys_and_a_withdrawn_one_round_trips(tmp_path: Path):
    assert not {"withdrawn_at", "withdrawn_by", "withdrawn_note"} & _label().to_json().keys()
    withdrawn = _label(**WITHDRAWN)
    assert withdrawn.to_json().items() >= WITHDRAWN.items()
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels_document([withdrawn, _label(label_id="label:2")])))
    assert read_labels_file(path) == [withdrawn, _label(label_id="label:2")]


def test_a_withdrawn_label_does_not_teach_and_the_manifest_says_why(arrays):
    withdrawn = _label(**WITHDRAWN)
    applied = apply_labels(arrays, [withdrawn])
    assert applied.used == [] and applied.verified.rows.tolist() == []
    [(unused, why)] = applied.unused
    assert unused == withdrawn and why.startswith("withdrawn by bo")
    assert applied.manifest()["sha256"] is None
    relabelled = _label(label_id="label:1#2", at="2026-03-02T00:00:00.000Z")
    assert apply_labels(arrays, [withdrawn, relabelled]).used == [relabelled]


def test_a_labels_file_round_trips_and_a_foreign_one_is_refused_naming_it(tmp_path: Path):
    good = tmp_path / "labels.json"
    labels = [_label(), _edge_label(Verdict.CONFIRMED)]
    good.write_text(json.dumps(labels_document(labels)))
    assert read_labels_file(good) == labels
    bad = tmp_path / "other.json"
    bad.write_text(json.dumps({"labels": []}))
    with pytest.raises(InvalidLabelError) as caught:
        read_labels_file(bad)
    assert caught.value.file == str(bad)


def test_a_dismissed_semantic_finding_makes_its_node_a_verified_example(arrays):
    applied = apply_labels(arrays, [_label()])
    assert applied.used == [_label()]
    assert applied.verified.rows.tolist() == [arrays.index["site.vav0.p0"]]
    assert np.array_equal(applied.arrays.classes, arrays.classes)
    assert np.array_equal(applied.arrays.edges, arrays.edges)


def test_a_confirmed_semantic_finding_takes_the_wrong_class_out_of_training(arrays):
    row = arrays.index["site.vav0.p0"]
    applied = apply_labels(arrays, [_label(verdict=Verdict.CONFIRMED)])
    assert applied.arrays.classes[row] == -1
    assert row not in applied.arrays.classified()
    assert applied.verified.rows.tolist() == []


def test_a_semantic_label_on_a_class_the_node_no_longer_declares_is_not_used(arrays):
    applied = apply_labels(arrays, [_label(declared_class="Supply_Air_Flow_Sensor")])
    assert applied.used == []
    assert "no longer declares" in applied.unused[0][1]
    elsewhere = apply_labels(arrays, [_label(twin_id="other.p0")])
    assert "not in the training buildings" in elsewhere.unused[0][1]


def test_relationship_labels_become_verified_true_or_false_edges(arrays):
    a, b = arrays.index["site.vav0"], arrays.index["site.vav0.p1"]
    edge = [a, relationship_types().index("HAS_POINT"), b]
    kept = apply_labels(arrays, [_edge_label(Verdict.FALSE_ALARM)])
    assert kept.verified.true_edges.tolist() == [edge]
    assert edge in kept.arrays.edges.tolist()
    wrong = apply_labels(arrays, [_edge_label(Verdict.CONFIRMED)])
    assert wrong.verified.false_edges.tolist() == [edge]
    assert edge not in wrong.arrays.edges.tolist()
    assert len(wrong.arrays.edges) == len(arrays.edges) - 1
    not_missing = apply_labels(
        arrays, [_edge_label(Verdict.FALSE_ALARM, "gnn_missing_relationship")]
    )
    assert not_missing.verified.false_edges.tolist() == [edge]


def test_a_finding_about_no_relationship_teaches_no_network(arrays):
    label = _label(type="threshold", rule="sat-high", twin_id="site.ahu.sat")
    applied = apply_labels(arrays, [label])
    assert applied.used == []
    assert applied.manifest()["unused"] == [
        {"label_id": label.label_id, "why": applied.unused[0][1]}
    ]


def test_verified_relationships_are_extra_examples_with_their_own_weight(arrays):
    rng = np.random.default_rng(0)
    none = np.zeros((0, 3), dtype=np.int64)
    plain = edge_examples(arrays, none, none, np.random.default_rng(0))
    verified = Verified(false_edges=arrays.edges[:1])
    triples, labels, weights = edge_examples(
        arrays, none, none, rng, verified=verified, verified_weight=5.0
    )
    assert len(triples) == len(plain[0]) + 1
    assert triples[-1].tolist() == arrays.edges[0].tolist()
    assert (labels[-1], weights[-1]) == (0.0, 5.0)
    assert np.array_equal(weights[:-1], plain[2])


def test_the_model_id_changes_with_the_labels_and_the_manifest_hashes_them(arrays):
    one = apply_labels(arrays, [_label()]).manifest()
    other = apply_labels(arrays, [_label(note="another reason")]).manifest()
    assert one["used"][0]["label_id"] == "label:1" and one["used"][0]["by"] == "ana"
    assert one["sha256"] != other["sha256"]
    weights = "ab" * 32
    assert model_id(weights, None) == weights
    assert model_id(weights, one["sha256"]) != model_id(weights, other["sha256"]) != weights
    assert apply_labels(arrays, []).manifest()["sha256"] is None


def test_ml_train_refuses_a_file_that_is_not_labels_before_it_trains(tmp_path: Path):
    from typer.testing import CliRunner

    from graphtwin.cli.main import app

    bad = tmp_path / "labels.json"
    bad.write_text("[]")
    args = ["ml", "train", "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "m")]
    refused = CliRunner().invoke(app, [*args, "--labels", str(bad)])
    assert refused.exit_code == 2
    assert str(bad) in refused.output and "graphtwin-drift-labels/1" in refused.output
    both = CliRunner().invoke(app, [*args, "--labels", str(bad), "--no-labels"])
    assert both.exit_code == 2
    assert not (tmp_path / "m").exists()


def test_drift_list_refuses_a_type_that_is_none_naming_those_there_are():
    from typer.testing import CliRunner

    from graphtwin.cli.main import app

    refused = CliRunner().invoke(app, ["drift", "list", "--type", "nonsense"])
    assert refused.exit_code == 2
    assert "nonsense" in refused.output and "structural" in refused.output
