"""Graph to PyTorch Geometric: every node and relationship arrives, typed, and maps back."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from graphtwin.errors import InputError
from graphtwin.ml.dataset import TwinDataset, building
from graphtwin.ml.features import evidence_dim
from graphtwin.ml.tensors import relationship_types, to_hetero_data
from tests.conftest import shared_file
from tests.support.ml_buildings import building_file


def test_hetero_export_maps_every_node_and_relationship_back(tmp_path: Path) -> None:
    b = building(building_file(tmp_path, "alpha", vavs=4))
    data, ids = to_hetero_data(b.arrays)
    assert set(data.node_types) == {n.kind for n in b.graph.nodes.values()}
    exported = set()
    for node_type in data.node_types:
        assert data[node_type].x.shape[1] > evidence_dim()  # evidence + declared-class words
        for row in range(data[node_type].num_nodes):
            twin_id = ids.twin_id(node_type, row)
            assert b.graph.nodes[twin_id].kind == node_type
            assert ids.locate(twin_id) == (node_type, row)
            exported.add(twin_id)
    assert exported == set(b.graph.nodes)
    back = set()
    for src_type, rel, dst_type in data.edge_types:
        assert rel in relationship_types()
        for s, d in data[(src_type, rel, dst_type)].edge_index.T.tolist():
            back.add((ids.twin_id(src_type, s), rel, ids.twin_id(dst_type, d)))
    assert back == set(b.graph.relationships)


def test_declared_class_is_the_label(tmp_path: Path) -> None:
    b = building(building_file(tmp_path, "alpha", vavs=2))
    data, ids = to_hetero_data(b.arrays)
    from graphtwin.ml.classes import class_vocabulary

    vocab = class_vocabulary()
    for row, cls in enumerate(data["Point"].y.tolist()):
        node = b.graph.nodes[ids.twin_id("Point", row)]
        assert vocab.names[cls] == node.properties["brick_class"]
    assert data["Building"].y.tolist() == [-1]  # buildings are not classified


def test_dataset_is_a_sequence_of_hetero_data_with_sources(tmp_path: Path) -> None:
    building_file(tmp_path, "alpha", vavs=2)
    building_file(tmp_path, "beta", vavs=3)
    (tmp_path / "notes.txt").write_text("not a model")
    dataset = TwinDataset.from_paths([tmp_path])
    assert dataset.names() == ["alpha", "beta"]
    assert isinstance(dataset[1]["Point"].x, torch.Tensor)
    assert dataset.without("alpha").names() == ["beta"]
    assert len(dataset.union()) == sum(len(b.graph) for b in dataset.buildings)
    assert all(len(s["sha256"]) == 64 for s in (b.source() for b in dataset.buildings))
    with pytest.raises(InputError, match="no building named 'gamma'"):
        dataset.without("gamma")


def test_a_file_that_is_no_model_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "plant.csv"
    bad.write_text("a,b\n")
    with pytest.raises(InputError, match=r"plant\.csv"):
        TwinDataset.from_paths([bad])


def test_real_brick_models_build_a_dataset() -> None:
    folder = shared_file("brick/brickrepo_soda_brick.ttl").parent
    dataset = TwinDataset.from_paths([folder])
    assert "groundtruth_gtc_brick" in dataset.names()
    assert any("s223" in note for note in dataset.skipped)  # not a Brick model: left out, said
    soda = dataset.get("brickrepo_soda_brick")
    data, ids = to_hetero_data(soda.arrays)
    assert data["Point"].num_nodes == 941
    assert sum(data[t].edge_index.shape[1] for t in data.edge_types) == len(soda.arrays.edges)
    assert ids.locate(ids.twin_id("Equipment", 0)) == ("Equipment", 0)
