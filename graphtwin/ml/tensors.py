"""A twin graph as arrays the models read, and as a PyTorch Geometric `HeteroData` for people.

`GraphArrays` is the homogeneous view the models train on (node kinds and relationship types as
integer columns, as relational GNNs take them); `to_tensors` is the typed view for data
scientists, as plain dicts, lists and tensors (what `graphtwin ml export` saves, so a plain
`torch.load` with `weights_only=True` reads it and nothing of graphtwin is needed to decode it):
node types are kinds, edge types are (kind, relationship type, kind), the twin_id of every row
and the class vocabulary the labels index are in it. `to_hetero_data` builds a `HeteroData`
from it, and `IdMap` leads from any (node type, row) back to the `twin_id`, and from a
`twin_id` to its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from graphtwin.ml.classes import CLASSIFIED_KINDS, ClassVocabulary, class_vocabulary
from graphtwin.ml.features import class_features, evidence, kinds
from graphtwin.model import TwinGraph
from graphtwin.name_tokens import split_name
from graphtwin.vocabulary import vocabulary
from importers.brick.vocabulary import brick_vocabulary

if TYPE_CHECKING:
    from torch_geometric.data import HeteroData

EXPORT_FORMAT = "graphtwin.hetero/1"
"""What `to_tensors` returns (and `ml export` saves); a new layout gets a new number."""


@cache
def relationship_types() -> list[str]:
    return sorted(vocabulary().relationship_types)


@dataclass(slots=True)
class GraphArrays:
    """One graph (or a disjoint union of several): row i is node `twin_ids[i]`."""

    twin_ids: list[str]
    kinds: np.ndarray  # int, index into features.kinds()
    evidence: np.ndarray  # float32 [N, evidence_dim]
    classes: np.ndarray  # int, index into the class vocabulary, -1 for none
    edges: np.ndarray  # int [M, 3]: source row, relationship type index, target row
    graph_of: np.ndarray  # int, which member graph a row belongs to (0 for a single graph)
    names: list[str] = field(default_factory=lambda: ["graph"])
    name_pieces: list[frozenset[str]] = field(default_factory=list)
    """Each node's name pieces, numbers included: related things share identifiers."""
    source_classes: list[str] = field(default_factory=list)
    """Per node, the class its source itself said where the importer renamed it to the declared
    one (a Brick alias or deprecated class: `Discharge_Air_Temperature_Sensor` declared as
    `Supply_Air_Temperature_Sensor`); "" where the source said the declared class."""
    source_of: list[str] = field(default_factory=list)
    """Per node, the import source that defines it, where known (`scopes.scoped_arrays`)."""
    _index: dict[str, int] | None = None

    @property
    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {t: i for i, t in enumerate(self.twin_ids)}
        return self._index

    def __len__(self) -> int:
        return len(self.twin_ids)

    def classified(self) -> np.ndarray:
        """Rows the semantic model judges: points and equipment with a known declared class."""
        wanted = [kinds().index(k) for k in CLASSIFIED_KINDS]
        return np.flatnonzero(np.isin(self.kinds, wanted) & (self.classes >= 0))

    def with_classes(self, classes: np.ndarray) -> GraphArrays:
        return replace(self, classes=classes, _index=self._index)

    def with_edges(self, edges: np.ndarray) -> GraphArrays:
        return replace(self, edges=edges, _index=self._index)


def graph_arrays(graph: TwinGraph, name: str = "graph") -> GraphArrays:
    """Arrays of one twin graph. Relationships to nodes outside it are left out."""
    kind_index = {k: i for i, k in enumerate(kinds())}
    rel_index = {r: i for i, r in enumerate(relationship_types())}
    vocab = class_vocabulary()
    nodes = sorted(graph.nodes.values(), key=lambda n: n.twin_id)  # stable row order
    index = {n.twin_id: i for i, n in enumerate(nodes)}
    rows = [
        (index[r.start], rel_index[r.type], index[r.end])
        for r in graph.iter_relationships()
        if r.start in index and r.end in index
    ]
    return GraphArrays(
        twin_ids=[n.twin_id for n in nodes],
        kinds=np.array([kind_index[n.kind] for n in nodes], dtype=np.int64),
        evidence=np.stack([evidence(n, kind_index) for n in nodes])
        if nodes
        else np.zeros((0, 0), dtype=np.float32),
        classes=np.array([_declared(n.properties, vocab) for n in nodes], dtype=np.int64),
        edges=np.array(sorted(rows), dtype=np.int64).reshape(-1, 3),
        graph_of=np.zeros(len(nodes), dtype=np.int64),
        names=[name],
        name_pieces=[frozenset(split_name(n.name)) for n in nodes],
        source_classes=[_said(n.properties, vocab) for n in nodes],
        _index=index,
    )


def _declared(properties: dict, vocab: ClassVocabulary) -> int:
    value = properties.get("brick_class")
    return vocab.lookup(value) if isinstance(value, str) else -1


def _said(properties: dict, vocab: ClassVocabulary) -> str:
    """The source's own class of a node whose declared class the importer normalised (read
    from the original `rdf_types` the Brick importer keeps), else ""."""
    declared = _declared(properties, vocab)
    types = properties.get("rdf_types")
    if declared < 0 or not isinstance(types, list):
        return ""
    brick = brick_vocabulary()
    for iri in types:
        local = brick.brick_local_name(iri) if isinstance(iri, str) else None
        said = local and vocab.lookup(brick.canonical_class(local)) == declared
        if said and local != vocab.names[declared]:
            return local
    return ""


def union(graphs: list[GraphArrays]) -> GraphArrays:
    """Disjoint union, rows renumbered, `graph_of` saying which member each row came from."""
    offsets = np.cumsum([0, *(len(g) for g in graphs)])
    edges = [g.edges + np.array([o, 0, o]) for g, o in zip(graphs, offsets, strict=False)]
    return GraphArrays(
        twin_ids=[t for g in graphs for t in g.twin_ids],
        kinds=np.concatenate([g.kinds for g in graphs]),
        evidence=np.concatenate([g.evidence for g in graphs]),
        classes=np.concatenate([g.classes for g in graphs]),
        edges=np.concatenate(edges).reshape(-1, 3),
        graph_of=np.concatenate([np.full(len(g), i) for i, g in enumerate(graphs)]),
        names=[n for g in graphs for n in g.names],
        name_pieces=[p for g in graphs for p in g.name_pieces],
        source_classes=[c for g in graphs for c in g.source_classes],
        source_of=[c for g in graphs for c in g.source_of],
    )


@dataclass(frozen=True, slots=True)
class IdMap:
    """twin_id <-> (node type, row) for a `HeteroData` export."""

    ids: dict[str, list[str]]  # node type -> twin_id of each row

    def twin_id(self, node_type: str, row: int) -> str:
        return self.ids[node_type][row]

    def locate(self, twin_id: str) -> tuple[str, int]:
        for node_type, ids in self.ids.items():
            if twin_id in ids:
                return node_type, ids.index(twin_id)
        raise KeyError(twin_id)


def to_tensors(arrays: GraphArrays) -> dict[str, Any]:
    """The typed view as plain containers, tensors and strings only:

    - `node_types`: the kinds present; `edge_types`: `(kind, RELATIONSHIP, kind)` tuples;
    - `nodes[kind]`: `{"x": features, "y": class index}` (-1 for none);
    - `edges[(kind, REL, kind)]`: `{"edge_index": [2, E]}` in local rows of each type;
    - `twin_ids[kind]`: the twin_id of each row; `class_vocabulary`: the class each `y` names;
    - `format`: `EXPORT_FORMAT`.

    `HeteroData({**t["nodes"], **t["edges"]})` is the PyTorch Geometric graph."""
    import torch

    kind_names = kinds()
    rel_names = relationship_types()
    x = np.concatenate([arrays.evidence, class_features(arrays.classes)], axis=1)
    local = np.zeros(len(arrays), dtype=np.int64)
    nodes: dict[str, dict[str, Any]] = {}
    ids: dict[str, list[str]] = {}
    for k in np.unique(arrays.kinds):
        rows = np.flatnonzero(arrays.kinds == k)
        local[rows] = np.arange(len(rows))
        node_type = kind_names[k]
        nodes[node_type] = {
            "x": torch.from_numpy(np.ascontiguousarray(x[rows])),
            "y": torch.from_numpy(arrays.classes[rows]),
        }
        ids[node_type] = [arrays.twin_ids[i] for i in rows]
    src_kind = arrays.kinds[arrays.edges[:, 0]]
    dst_kind = arrays.kinds[arrays.edges[:, 2]]
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for key in sorted(set(zip(src_kind, arrays.edges[:, 1], dst_kind, strict=True))):
        sk, rel, dk = key
        mask = (src_kind == sk) & (arrays.edges[:, 1] == rel) & (dst_kind == dk)
        pairs = arrays.edges[mask][:, [0, 2]].T
        edge_type = (kind_names[sk], rel_names[rel], kind_names[dk])
        edges[edge_type] = {"edge_index": torch.from_numpy(local[pairs].copy())}
    return {
        "format": EXPORT_FORMAT,
        "node_types": list(nodes),
        "edge_types": list(edges),
        "nodes": nodes,
        "edges": edges,
        "twin_ids": ids,
        "class_vocabulary": list(class_vocabulary().names),
    }


def to_hetero_data(arrays: GraphArrays) -> tuple[HeteroData, IdMap]:
    """The typed view as a PyG `HeteroData`: `data[kind].x` (evidence and declared-class bag),
    `data[kind].y` (class index, -1 for none) and `data[(kind, REL, kind)].edge_index` in local
    rows of each type, built from `to_tensors` as a user of the exported file would."""
    from torch_geometric.data import HeteroData

    tensors = to_tensors(arrays)
    data = HeteroData({**tensors["nodes"], **tensors["edges"]})
    return data, IdMap(tensors["twin_ids"])
