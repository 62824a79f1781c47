"""The non-graph baseline: gradient-boosted trees (scikit-learn) on each node's own features,
trained on the same corruption of the same buildings as the networks, but blind to neighbours.

- semantic: is this node's declared class wrong? (its evidence + its class words)
- structural, per node: are this node's relationships corrupted? (+ its degree per scored type)
- structural, per relationship: is this relationship true? (both ends' features + the type +
  what their names share), for the ROC-AUC the issue compares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from graphtwin.ml.corruption import corrupt_edges, relabel, scored_type_ids
from graphtwin.ml.features import class_features
from graphtwin.ml.networks import pair_features
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.ml.training import edge_examples


def node_matrix(arrays: GraphArrays) -> np.ndarray:
    return np.concatenate([arrays.evidence, class_features(arrays.classes)], axis=1)


def degrees(arrays: GraphArrays) -> np.ndarray:
    """Per node, in- and out-degree of each scored type."""
    types = sorted(scored_type_ids())
    out = np.zeros((len(arrays), 2 * len(types)), dtype=np.float32)
    for j, t in enumerate(types):
        edges = arrays.edges[arrays.edges[:, 1] == t]
        np.add.at(out[:, 2 * j], edges[:, 0], 1.0)
        np.add.at(out[:, 2 * j + 1], edges[:, 2], 1.0)
    return np.log1p(out)


def edge_matrix(arrays: GraphArrays, triples: np.ndarray) -> np.ndarray:
    x = node_matrix(arrays)
    rel = np.zeros((len(triples), len(relationship_types())), dtype=np.float32)
    rel[np.arange(len(triples)), triples[:, 1]] = 1.0
    pairs = pair_features(arrays, triples).numpy()
    return np.concatenate([x[triples[:, 0]], x[triples[:, 2]], rel, pairs], axis=1)


@dataclass(slots=True)
class Baseline:
    semantic: HistGradientBoostingClassifier
    node: HistGradientBoostingClassifier
    edge: HistGradientBoostingClassifier


def _fit(x: np.ndarray, y: np.ndarray, seed: int) -> HistGradientBoostingClassifier:
    model = HistGradientBoostingClassifier(max_iter=200, random_state=seed, class_weight="balanced")
    return model.fit(x, y)


def fit_baseline(arrays: GraphArrays, seed: int, rounds: int = 6) -> Baseline:
    """`rounds` corrupted copies of the training graphs at 5-15%, as the networks see."""
    rng = np.random.default_rng(seed)
    sx, sy, nx, ny, ex, ey = [], [], [], [], [], []
    for _ in range(rounds):
        rate = float(rng.uniform(0.05, 0.15))
        r = relabel(arrays, rate, rng)
        rows = arrays.classified()
        sx.append(node_matrix(r.arrays)[rows])
        sy.append(np.isin(rows, r.rows))
        c = corrupt_edges(arrays, rate, rng)
        nx.append(np.concatenate([node_matrix(c.arrays), degrees(c.arrays)], axis=1))
        ny.append(np.isin(np.arange(len(arrays)), c.dependents()))
        triples, labels, _ = edge_examples(c.arrays, c.wrong, c.deleted, rng)
        ex.append(edge_matrix(c.arrays, triples))
        ey.append(labels)
    return Baseline(
        semantic=_fit(np.concatenate(sx), np.concatenate(sy), seed),
        node=_fit(np.concatenate(nx), np.concatenate(ny), seed),
        edge=_fit(np.concatenate(ex), np.concatenate(ey), seed),
    )


def semantic_scores(baseline: Baseline, arrays: GraphArrays) -> np.ndarray:
    """P(declared class wrong) for each of `arrays.classified()`."""
    return baseline.semantic.predict_proba(node_matrix(arrays)[arrays.classified()])[:, 1]


def node_scores(baseline: Baseline, arrays: GraphArrays) -> np.ndarray:
    x = np.concatenate([node_matrix(arrays), degrees(arrays)], axis=1)
    return baseline.node.predict_proba(x)[:, 1]


def edge_scores(baseline: Baseline, arrays: GraphArrays, triples: np.ndarray) -> np.ndarray:
    return baseline.edge.predict_proba(edge_matrix(arrays, triples))[:, 1]
