"""Per-building calibration: the maps on small synthetic arrays, and a tiny trained model judging
a building named unlike the ones it was trained on, with and without calibration."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest
import yaml

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity
from graphtwin.ml.calibration import (
    calibrate_edges,
    fit_platt,
    fit_temperature,
    usual_in_building,
)
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.detection import DEFAULT_THRESHOLDS, model_findings, rank
from graphtwin.ml.scoring import judge_edges
from graphtwin.ml.tensors import GraphArrays
from graphtwin.ml.training import TrainConfig, Trained, train
from tests.support.ml_buildings import building_file

MANIFEST = {"model_id": "test", "training_sources": []}
PLANTED = ("held.ahu", "HAS_POINT", "held.vav3.p0")  # vav3's zone temperature, on the AHU


def test_platt_scaling_brings_a_shifted_building_back_to_its_own_scale() -> None:
    rng = np.random.default_rng(0)
    # a building whose true relationships all score 6 lower than the network is used to
    positive = rng.normal(2.0, 1.0, 400) - 6.0
    negative = rng.normal(-2.0, 1.0, 400) - 6.0
    platt = fit_platt(positive, negative)
    assert platt.a > 0
    assert np.mean(platt.apply(positive) > 0.5) > 0.9  # raw: almost none above 0.5
    assert np.mean(platt.apply(negative) < 0.5) > 0.9


def test_platt_scaling_keeps_the_network_with_too_few_examples() -> None:
    platt = fit_platt(np.array([1.0, 2.0]), np.array([-1.0]))
    assert (platt.a, platt.b) == (1.0, 0.0)


def test_temperature_scaling_recovers_an_overconfident_networks_temperature() -> None:
    rng = np.random.default_rng(1)
    true_logits = rng.normal(0.0, 1.0, (2000, 5))
    p = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    targets = np.array([rng.choice(5, p=row) for row in p])
    assert fit_temperature(true_logits * 4.0, targets) == pytest.approx(4.0, rel=0.15)


def test_each_relationship_is_calibrated_by_the_map_fitted_on_the_other_half() -> None:
    rng = np.random.default_rng(2)
    types = np.zeros(200, dtype=np.int64)
    present = rng.normal(1.0, 1.0, 200)
    negative = rng.normal(-1.0, 1.0, 200)
    fitted = calibrate_edges(types, present, negative, np.arange(200))
    p = fitted.present(present)
    m = fitted.maps[0]
    assert np.allclose(p[fitted.in_a], m.on_b.apply(present[fitted.in_a]))
    assert np.allclose(p[~fitted.in_a], m.on_a.apply(present[~fitted.in_a]))
    assert m.on_a != m.on_b


def test_a_relationship_most_of_the_building_lacks_is_not_proposed_node_by_node() -> None:
    kinds = np.array([0, 1, 1, 1, 1, 1, 1, 1])  # an AHU and seven points
    graph_of = np.array([0, 0, 0, 0, 0, 1, 1, 1])  # the last three in another building
    present = np.array([[0, 7, 1], [0, 7, 2], [0, 7, 3]])  # three of four points have one
    proposals = np.array([[0, 7, 4], [0, 7, 6]])
    usual = usual_in_building(kinds, graph_of, present, proposals, {7: 2})
    assert usual.tolist() == [True, False]  # 3 of 4 in building 0; none in building 1


def test_findings_rank_by_score_then_severity_then_nodes_touched() -> None:
    def finding(twin_id: str, score: float | None, severity: Severity, **evidence) -> Finding:
        return Finding(twin_id, DriftType.STRUCTURAL, "r", severity, "", score, evidence)

    found = [
        finding("a", 0.91, Severity.WARNING),
        finding("b", 0.99, Severity.WARNING),
        finding("c", 0.91, Severity.CRITICAL),
        finding("d", 0.91, Severity.WARNING, members=["x", "y", "z"]),
    ]
    assert [f.twin_id for f in rank(found)] == ["b", "c", "d", "a"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    folder = tmp_path_factory.mktemp("training")
    for name, vavs in (("alpha", 8), ("beta", 10), ("gamma", 6)):
        building_file(folder, name, vavs)
    arrays = TwinDataset.from_paths([folder]).union()
    return train(arrays, TrainConfig(seed=3, hidden=24, semantic_epochs=60, structural_epochs=60))


def _held(folder: Path, rename) -> GraphArrays:
    """A 12-VAV building renamed with `rename`, vav3's zone temperature sensor moved to the AHU."""
    path = building_file(folder, "held", 12)
    doc = yaml.safe_load(path.read_text())
    for i, node in enumerate(doc["nodes"]):
        node["name"] = rename(i, node["name"])
        if node["id"] == "held.vav3":
            node["links"]["HAS_POINT"].remove(PLANTED[2])
        if node["id"] == "held.ahu":
            node["links"]["HAS_POINT"].append(PLANTED[2])
    path.write_text(yaml.safe_dump(doc))
    return TwinDataset.from_paths([path]).buildings[0].arrays


def _wrong(arrays: GraphArrays, trained: Trained, calibrate: bool) -> int:
    judged = judge_edges(trained, arrays, calibrate=calibrate)
    return int((1.0 - judged.p_true >= DEFAULT_THRESHOLDS.structural).sum())


def test_calibration_quiets_a_building_named_unlike_the_training_set(
    trained: Trained, tmp_path: Path
) -> None:
    # every node named by an opaque code: nothing the network learned from names applies
    held = _held(tmp_path, lambda i, _: f"obj {i * 7919 % 1000:03d}")
    raw = _wrong(held, trained, calibrate=False)
    calibrated = _wrong(held, trained, calibrate=True)
    assert raw >= 5  # uncalibrated, the building floods the list
    assert calibrated < raw
    assert calibrated <= 1


def test_a_planted_error_stays_first_once_calibrated(trained: Trained, tmp_path: Path) -> None:
    # words the training set never used, numbers kept: "VAV-103 ZN-T" -> "qhwey-103 qwmxf-qmfgg"
    held = _held(tmp_path, lambda _, name: re.sub(r"[A-Za-z]+", _code, name))
    ranked = rank(model_findings(trained, MANIFEST, held))
    assert ranked, "the planted relationship is found"
    top = ranked[0].evidence["relationship"]
    assert (top["start"], top["type"], top["end"]) == PLANTED
    assert len(ranked) <= 2


def _code(match: re.Match[str]) -> str:
    """A word as a code of its own (the same word, the same code)."""
    n = zlib.crc32(match.group().lower().encode())
    return "q" + "".join(chr(ord("a") + (n >> (5 * i)) % 26) for i in range(4))
