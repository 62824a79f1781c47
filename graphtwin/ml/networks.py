"""The two graph neural networks: a relational encoder (R-GCN: one weight set per relationship
type and direction, so FEEDS and HAS_POINT say different things), a class head for semantic
drift and an edge head for structural drift.

The class head scores a node against classes by their words, so it can judge a class it never
saw in training; the edge head scores (source, relationship type, target) triples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch_geometric.nn import RGCNConv

from graphtwin.ml.features import CLASS_DIM, class_features, evidence_dim
from graphtwin.ml.tensors import GraphArrays, relationship_types


@dataclass(frozen=True, slots=True)
class Inputs:
    """A graph as the networks take it: features, and every relationship both ways (reverse
    types numbered after the forward ones) so information flows against the arrows too."""

    x: torch.Tensor
    edge_index: torch.Tensor
    edge_type: torch.Tensor


def num_relations() -> int:
    return 2 * len(relationship_types())


def inputs(arrays: GraphArrays) -> Inputs:
    x = np.concatenate([arrays.evidence, class_features(arrays.classes)], axis=1)
    src, rel, dst = arrays.edges[:, 0], arrays.edges[:, 1], arrays.edges[:, 2]
    forward = np.stack([src, dst])
    backward = np.stack([dst, src])
    return Inputs(
        x=torch.from_numpy(x),
        edge_index=torch.from_numpy(np.concatenate([forward, backward], axis=1)),
        edge_type=torch.from_numpy(np.concatenate([rel, rel + len(relationship_types())])),
    )


class Encoder(nn.Module):
    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        self.project = nn.Linear(evidence_dim() + CLASS_DIM, hidden)
        self.convs = nn.ModuleList(
            RGCNConv(hidden, hidden, num_relations(), num_bases=4) for _ in range(layers)
        )

    def forward(self, data: Inputs) -> torch.Tensor:
        h = torch.relu(self.project(data.x))
        for conv in self.convs:
            h = h + torch.relu(conv(h, data.edge_index, data.edge_type))  # keep the node's own
        return h


class ClassNet(nn.Module):
    """Which class each node is, given its evidence, its declared class and its neighbours."""

    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        self.encoder = Encoder(hidden, layers)
        self.query = nn.Linear(hidden, hidden)
        self.class_words = nn.Sequential(
            nn.Linear(CLASS_DIM, hidden), nn.ReLU(), nn.Linear(hidden, hidden)
        )
        self.agreement = nn.Linear(AGREEMENT_DIM, 1)

    def forward(
        self,
        data: Inputs,
        rows: torch.Tensor,
        candidates: torch.Tensor,
        agreement: torch.Tensor,
    ) -> torch.Tensor:
        """Logits [len(rows), len(candidates)]; `candidates` are class word bags, `agreement`
        is `class_agreement` of the same rows and candidates."""
        h = self.encoder(data)[rows]
        learned = self.query(h) @ self.class_words(candidates).T
        return learned + self.agreement(agreement).squeeze(2)


AGREEMENT_DIM = 1


def class_agreement(arrays: GraphArrays, rows: np.ndarray, candidates: list[int]) -> torch.Tensor:
    """[rows, candidates, 1]: how much of the candidate class's words the node's name says. That
    means the same in every building, whatever its naming habits, which helps the class head
    judge a building it never saw. (What the node's peers declare is not an input: detection
    adds it to the network's judgement, which must stay an opinion of its own.)"""
    from graphtwin.ml.classes import class_vocabulary
    from graphtwin.ml.features import name_words, piece_words

    vocab = class_vocabulary()
    class_sets = [set(name_words(vocab.names[c])) for c in candidates]
    words = sorted(set().union(*class_sets)) if class_sets else []
    column = {w: i for i, w in enumerate(words)}
    cls = np.zeros((len(candidates), len(words)), dtype=np.float32)
    for i, ws in enumerate(class_sets):
        cls[i, [column[w] for w in ws]] = 1.0
    said = np.zeros((len(rows), len(words)), dtype=np.float32)
    for i, row in enumerate(rows):
        hits = [column[w] for w in piece_words(arrays.name_pieces[row]) if w in column]
        said[i, hits] = 1.0
    covered = (said @ cls.T) / np.maximum(cls.sum(axis=1), 1.0)[None, :]
    return torch.from_numpy(covered[:, :, None])


class EdgeNet(nn.Module):
    """How likely each (source, type, target) relationship is to be true."""

    def __init__(self, hidden: int, layers: int) -> None:
        super().__init__()
        self.encoder = Encoder(hidden, layers)
        self.types = nn.Embedding(len(relationship_types()), hidden)
        self.score = nn.Sequential(
            nn.Linear(4 * hidden + PAIR_DIM, hidden), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def embed(self, data: Inputs) -> torch.Tensor:
        return self.encoder(data)

    def logits(self, h: torch.Tensor, triples: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        """`pairs`: `pair_features` of the same triples."""
        src, dst = h[triples[:, 0]], h[triples[:, 2]]
        rel = self.types(triples[:, 1])
        return self.score(torch.cat([src, dst, src * dst, rel, pairs], dim=1)).squeeze(1)


PAIR_DIM = 3


def pair_features(arrays: GraphArrays, triples: np.ndarray) -> torch.Tensor:
    """What the two ends' names share: all pieces, number pieces, and whether one name holds
    all of the other's numbers (a point named after its VAV's room, a floor's number in a
    room's name)."""
    out = np.zeros((len(triples), PAIR_DIM), dtype=np.float32)
    pieces = arrays.name_pieces
    for i, (a, _, b) in enumerate(triples.tolist()):
        pa, pb = pieces[a], pieces[b]
        na = {p for p in pa if p.isdigit()}
        nb = {p for p in pb if p.isdigit()}
        union = pa | pb
        out[i, 0] = len(pa & pb) / len(union) if union else 0.0
        out[i, 1] = len(na & nb) / len(na | nb) if na or nb else 0.0
        out[i, 2] = float(bool(na and nb) and (na <= nb or nb <= na))
    return torch.from_numpy(out)
