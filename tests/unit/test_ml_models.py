"""A tiny model trains, finds a planted relabel and a rewired point, is saved with a manifest
that verifies, and comes out the same for the same seed on CPU."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.corruption import corrupt_edges, edge_keys, relabel
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.manifest import ModelIntegrityError, load_model, verify_model, weights_bytes
from graphtwin.ml.peers import class_words, peer_counts
from graphtwin.ml.roles import known
from graphtwin.ml.scoring import ClassJudgement, judge_classes, judge_edges
from graphtwin.ml.tensors import relationship_types
from graphtwin.ml.training import TrainConfig, train
from graphtwin.ml.workflow import train_and_save
from tests.support.ml_buildings import building_file

TINY = TrainConfig(seed=3, hidden=24, semantic_epochs=80, structural_epochs=80)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> TwinDataset:
    folder = tmp_path_factory.mktemp("buildings")
    for name, vavs in (("alpha", 8), ("beta", 10), ("gamma", 6), ("held", 8)):
        building_file(folder, name, vavs)
    return TwinDataset.from_paths([folder])


@pytest.fixture(scope="module")
def model_dir(dataset: TwinDataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    train_and_save(dataset, out, TINY, held_out=["held"])
    return out


def _judge_with(
    dataset: TwinDataset, model_dir: Path, twin_id: str, declared: str
) -> tuple[ClassJudgement, int, int]:
    """The held-out building judged with one node declared `declared`: the judgement, the
    node's row, and its position among the judged rows."""
    trained, _ = load_model(model_dir)
    held = dataset.get("held").arrays
    row = held.index[twin_id]
    classes = held.classes.copy()
    classes[row] = class_vocabulary().lookup(declared)
    judged = judge_classes(trained, held.with_classes(classes))
    return judged, row, judged.rows.tolist().index(row)


def test_planted_relabel_is_found_in_a_held_out_building(
    dataset: TwinDataset, model_dir: Path
) -> None:
    # a zone temperature sensor declared a flow sensor
    judged, row, at = _judge_with(dataset, model_dir, "held.vav3.p0", "Supply_Air_Flow_Sensor")
    assert judged.rows[judged.flagged(0.5)].tolist() == [row]
    assert class_vocabulary().names[judged.predicted[at]] == "Zone_Air_Temperature_Sensor"
    assert judged.p_predicted[at] > 0.5
    # the building's other seven "VAV-<room> ZN-T" points back the finding
    assert (judged.peers[at], judged.peers_predicted[at]) == (7, 7)


def test_a_node_without_peers_is_not_flagged_on_the_network_alone(
    dataset: TwinDataset, model_dir: Path
) -> None:
    # the only point named "AHU-1 SAT", declared a setpoint
    judged, _, at = _judge_with(dataset, model_dir, "held.ahu.sat", "Zone_Air_Temperature_Setpoint")
    assert judged.peers[at] == 0
    assert judged.p_declared[at] == pytest.approx(judged.network_p_declared[at])  # its word alone
    assert not judged.flagged(0.0)[at]


def test_rewired_points_score_below_true_relationships(
    dataset: TwinDataset, model_dir: Path
) -> None:
    trained, _ = load_model(model_dir)
    held = dataset.get("held").arrays
    corrupted = corrupt_edges(held, 0.2, np.random.default_rng(1))
    judged = judge_edges(trained, corrupted.arrays)
    wrong = np.isin(edge_keys(judged.edges, len(held)), edge_keys(corrupted.wrong, len(held)))
    assert wrong.sum() >= 3
    assert judged.p_true[wrong].mean() < judged.p_true[~wrong].mean() - 0.3


def test_a_relationship_with_an_end_training_never_saw_in_its_role_is_not_judged(
    dataset: TwinDataset, model_dir: Path
) -> None:
    trained, _ = load_model(model_dir)
    roles = trained.prior.roles
    # 8 + 10 + 6 VAVs in training, the held-out building's not counted
    assert roles[("Zone_Air_Temperature_Sensor", "HAS_POINT", "end")] == 24
    assert roles[("Air_Handling_Unit", "HAS_POINT", "start")] == 3
    assert ("Room", "HAS_POINT", "start") not in roles  # no room has a point in training
    held = dataset.get("held").arrays
    has_point = relationship_types().index("HAS_POINT")
    unseen = [held.index["held.r0"], has_point, held.index["held.vav3.p2"]]
    odd_pair = [held.index["held.ahu"], has_point, held.index["held.vav1.p0"]]  # known ends
    odd = held.with_edges(np.concatenate([held.edges, [unseen, odd_pair]]))

    judged = judge_edges(trained, odd)

    keys = set(edge_keys(judged.edges, len(odd)).tolist())
    assert edge_keys(np.array([odd_pair]), len(odd))[0] in keys
    assert edge_keys(np.array([unseen]), len(odd))[0] not in keys
    assert known(roles, odd, judged.missing).all()
    assert not known(roles, odd, np.array([unseen])).any()


def test_a_model_saved_without_its_roles_asks_to_be_trained_again(
    model_dir: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older"
    older.mkdir()
    manifest = json.loads((model_dir / "manifest.json").read_text())
    del manifest["structural_prior"]["roles"]
    (older / "manifest.json").write_text(json.dumps(manifest))
    (older / "weights.pt").write_bytes((model_dir / "weights.pt").read_bytes())
    with pytest.raises(ModelIntegrityError, match=r"older graphtwin.*graphtwin ml train"):
        load_model(older)


def test_manifest_names_the_data_and_verifies_the_weights(model_dir: Path) -> None:
    manifest = verify_model(model_dir)
    assert [s["building"] for s in manifest["training_sources"]] == ["alpha", "beta", "gamma"]
    assert all(len(s["sha256"]) == 64 for s in manifest["training_sources"])
    assert manifest["seed"] == 3 and manifest["hyperparameters"]["hidden"] == 24
    assert manifest["metrics"]["held_out"] == ["held"]
    assert set(manifest["versions"]) >= {"torch", "torch_geometric", "python"}
    assert manifest["model_id"] == manifest["weights"]["sha256"]

    tampered = model_dir.parent / "tampered"
    tampered.mkdir()
    (tampered / "manifest.json").write_text((model_dir / "manifest.json").read_text())
    blob = bytearray((model_dir / "weights.pt").read_bytes())
    blob[-100] ^= 0xFF
    (tampered / "weights.pt").write_bytes(bytes(blob))
    with pytest.raises(ModelIntegrityError, match="weights sha256 is"):
        load_model(tampered)
    (tampered / "manifest.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ModelIntegrityError, match=r"manifest\.json"):
        verify_model(tampered)


def test_same_seed_same_weights_on_cpu(dataset: TwinDataset) -> None:
    small = TrainConfig(seed=5, hidden=8, semantic_epochs=5, structural_epochs=5)
    arrays = dataset.without("held").union()
    first, second = train(arrays, small), train(arrays, small)
    assert weights_bytes(first) == weights_bytes(second)
    other = train(arrays, TrainConfig(seed=6, hidden=8, semantic_epochs=5, structural_epochs=5))
    assert weights_bytes(other) != weights_bytes(first)


def test_corruption_is_known_and_plausible(dataset: TwinDataset) -> None:
    arrays = dataset.get("beta").arrays
    rng = np.random.default_rng(0)
    r = relabel(arrays, 0.10, rng)
    assert len(r.rows) == round(0.10 * len(arrays.classified()))
    vocab = class_vocabulary()
    for row, true in zip(r.rows, r.original, strict=True):
        now = r.arrays.classes[row]
        assert now != true and vocab.kinds[now] == vocab.kinds[true]
        assert not vocab.in_line(now, true)  # wrong, not merely more or less specific
    c = corrupt_edges(arrays, 0.10, rng)
    assert len(c.deleted) + len(c.wrong) >= 3
    assert len(c.arrays.edges) == len(arrays.edges) - len(c.deleted)


def test_a_class_above_or_below_another_is_in_line_with_it() -> None:
    vocab = class_vocabulary()
    fan, supply_fan, sensor = (vocab.lookup(c) for c in ("Fan", "Supply_Fan", "Sensor"))
    zone, flow = (
        vocab.lookup(c) for c in ("Zone_Air_Temperature_Sensor", "Supply_Air_Flow_Sensor")
    )
    assert vocab.in_line(fan, supply_fan) and vocab.in_line(supply_fan, fan)
    assert vocab.in_line(sensor, zone)  # through several generations
    assert not vocab.in_line(zone, flow) and not vocab.in_line(fan, zone)


def test_peers_say_what_the_building_declares_for_nodes_named_alike(dataset: TwinDataset) -> None:
    arrays = dataset.get("beta").arrays  # ten VAVs, each with a point named "VAV-<room> ZN-T"
    vocab = class_vocabulary()
    zone, flow = (
        vocab.lookup(c) for c in ("Zone_Air_Temperature_Sensor", "Supply_Air_Flow_Sensor")
    )
    rows = np.array([r for r in arrays.classified() if arrays.classes[r] == zone])
    classes = arrays.classes.copy()
    classes[rows[0]] = flow  # one ZN-T point declared a flow sensor
    counts = peer_counts(arrays.with_classes(classes), rows[:2], [zone, flow])
    # the mislabelled one: all nine peers say zone temperature; its neighbour: eight of its nine
    # peers say zone temperature, one (the mislabel) says flow
    assert counts.tolist() == [[9, 0], [8, 1]]


def test_a_name_with_words_of_its_own_finds_peers_by_its_class_words(
    dataset: TwinDataset,
) -> None:
    arrays = dataset.get("beta").arrays
    zone = class_vocabulary().lookup("Zone_Air_Temperature_Sensor")
    rows = np.array([r for r in arrays.classified() if arrays.classes[r] == zone])
    pieces = list(arrays.name_pieces)
    pieces[rows[0]] = pieces[rows[0]] | {"lobby"}  # "VAV-<room> ZN-T Lobby": no name alike
    renamed = replace(arrays, name_pieces=pieces)
    assert "lobby" not in class_words() and "temperature" in class_words()
    # its peers are the nine points whose names say "zone temperature" too
    assert peer_counts(renamed, rows[:1], [zone]).tolist() == [[9]]
    alone = replace(renamed, name_pieces=[*pieces[: rows[1]], frozenset(), *pieces[rows[1] + 1 :]])
    assert peer_counts(alone, rows[1:2], [zone]).tolist() == [[0]]  # a name with no words


def test_a_doubted_class_is_flagged_only_when_another_is_more_likely_than_not() -> None:
    vocab = class_vocabulary()
    flow, zone = vocab.lookup("Supply_Air_Flow_Sensor"), vocab.lookup("Zone_Air_Temperature_Sensor")
    judged = ClassJudgement(
        rows=np.array([0, 1]),
        declared=np.array([flow, flow]),
        predicted=np.array([zone, zone]),
        p_declared=np.array([0.05, 0.05]),
        p_predicted=np.array([0.9, 0.45]),  # the second: peers split three ways
        peers=np.array([6, 6]),
        peers_predicted=np.array([5, 3]),
        network_predicted=np.array([zone, zone]),
        network_p_declared=np.array([0.1, 0.1]),
        in_line=np.array([False, False]),
    )
    assert judged.flagged(0.9).tolist() == [True, False]
