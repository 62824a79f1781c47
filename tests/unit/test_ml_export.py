"""Graph to PyTorch Geometric: every node and relationship arrives, typed, and maps back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from graphtwin.errors import InputError
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.dataset import TwinDataset, building
from graphtwin.ml.features import evidence_dim
from graphtwin.ml.tensors import EXPORT_FORMAT, relationship_types, to_hetero_data, to_tensors
from tests.conftest import ROOT, shared_file
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


def _docs_python(containing: str) -> str:
    """The one Python block of docs/ml.md that contains `containing`, exactly as written."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "ml.md").read_text(), re.S)
    [block] = [b for b in blocks if containing in b]
    return block


def _plain(value: object) -> bool:
    """Only what `torch.load(weights_only=True)` allows, and nothing of graphtwin."""
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, torch.Tensor | str | int | float | bool)


def test_the_exported_file_loads_with_plain_torch_load_and_decodes_with_the_docs_snippet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = building(building_file(tmp_path, "alpha", vavs=3))
    torch.save(to_tensors(b.arrays), tmp_path / "twin.pt")
    loaded = torch.load(tmp_path / "twin.pt", weights_only=True)
    assert _plain(loaded) and loaded["format"] == EXPORT_FORMAT
    assert loaded["class_vocabulary"] == list(class_vocabulary().names)
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(_docs_python('torch.load("twin.pt")'), scope)  # the snippet, as documented
    assert scope["label"] == b.graph.nodes[str(scope["twin_id"])].properties["brick_class"]
    exec(_docs_python("HeteroData({**twin"), scope)
    data, _ = to_hetero_data(b.arrays)
    rebuilt = scope["data"]
    assert rebuilt.node_types == data.node_types == loaded["node_types"]
    assert rebuilt.edge_types == data.edge_types == loaded["edge_types"]
    for node_type in data.node_types:
        assert torch.equal(rebuilt[node_type].x, data[node_type].x)
        assert torch.equal(rebuilt[node_type].y, data[node_type].y)
    for edge_type in data.edge_types:
        assert torch.equal(rebuilt[edge_type].edge_index, data[edge_type].edge_index)


def test_every_row_of_the_exported_tensors_has_its_twin_id(tmp_path: Path) -> None:
    b = building(building_file(tmp_path, "alpha", vavs=2))
    tensors = to_tensors(b.arrays)
    for node_type in tensors["node_types"]:
        rows = tensors["nodes"][node_type]["x"].shape[0]
        assert len(tensors["twin_ids"][node_type]) == rows == len(tensors["nodes"][node_type]["y"])
    assert sorted(t for ids in tensors["twin_ids"].values() for t in ids) == sorted(b.graph.nodes)
