"""What the trained networks say about one graph: a probability for every declared class and
every scored relationship, and the likely missing relationships."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.special import expit

from graphtwin.ml.calibration import (
    SEED,
    calibrate_edges,
    calibrated_softmax,
    usual_in_building,
)
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.corruption import rewire, scored_type_ids
from graphtwin.ml.features import all_class_bags
from graphtwin.ml.networks import class_agreement, inputs, pair_features
from graphtwin.ml.peers import MIN_PEERS, peer_counts
from graphtwin.ml.relationship_rules import kind_table
from graphtwin.ml.roles import known
from graphtwin.ml.tensors import GraphArrays
from graphtwin.ml.training import Trained, kind_mask

CONSENSUS_WEIGHT = 0.25
"""How many peers the network's judgement counts as. Less than one: where the building has a
convention its majority decides, and the network, which only knows other buildings, decides
between split peers. Measured on held-out buildings, the network alone flags many correct nodes
of a building whose conventions it never saw (docs/ml.md)."""

MIN_P_LIKELY = 0.5
"""A finding says what the node looks like: where the peers split between several classes and
none is more likely than not, the declared class may be doubted but no other can be named, and
a facility manager is told nothing actionable, so nothing is reported."""


@dataclass(frozen=True, slots=True)
class ClassJudgement:
    """Per judged row: the network's probabilities combined with what the row's peers declare
    (`peers.peer_counts`) as counts on top of the network's, weighted `CONSENSUS_WEIGHT`."""

    rows: np.ndarray
    declared: np.ndarray  # class index per row
    predicted: np.ndarray  # most likely class index per row
    p_declared: np.ndarray
    p_predicted: np.ndarray
    peers: np.ndarray  # how many peers each row has
    peers_predicted: np.ndarray  # how many of them declare the predicted class
    network_predicted: np.ndarray  # the network's own most likely class
    network_p_declared: np.ndarray  # the network's own probability of the declared class
    in_line: np.ndarray  # the predicted class is the declared one, or above or below it

    @property
    def scores(self) -> np.ndarray:
        """How likely each declared class is wrong."""
        return 1.0 - self.p_declared

    def flagged(self, threshold: float) -> np.ndarray:
        """Confident disagreement, backed by `MIN_PEERS` or more of the building's own nodes,
        with a class that is not merely more or less specific than the declared one, and more
        likely than not (`MIN_P_LIKELY`)."""
        return (
            (self.scores >= threshold)
            & ~self.in_line
            & (self.peers >= MIN_PEERS)
            & (self.p_predicted >= MIN_P_LIKELY)
        )

    def flagged_by_network(self, threshold: float) -> np.ndarray:
        """What the network alone would flag, peers or not (for evaluation)."""
        vocab = class_vocabulary()
        in_line = [
            vocab.in_line(int(a), int(b))
            for a, b in zip(self.declared, self.network_predicted, strict=True)
        ]
        return (1.0 - self.network_p_declared >= threshold) & ~np.array(in_line, dtype=bool)


@torch.no_grad()
def judge_classes(
    trained: Trained, arrays: GraphArrays, *, calibrate: bool = True
) -> ClassJudgement:
    """The network's probabilities (temperature-scaled on the building's own declared classes,
    cross-fitted: `calibration.calibrated_softmax`; `calibrate=False` for the raw network)
    combined with the peers' counts."""
    rows = arrays.classified()
    declared = arrays.classes[rows]
    candidates = sorted(set(trained.candidates) | {int(c) for c in declared})
    position = np.full(int(max(candidates, default=0)) + 1, -1)
    position[candidates] = np.arange(len(candidates))
    logits = trained.classes(
        inputs(arrays),
        torch.from_numpy(rows),
        torch.from_numpy(all_class_bags()[candidates]),
        class_agreement(arrays, rows, candidates),
    ).masked_fill(~kind_mask(arrays, rows, candidates), float("-inf"))
    network = (
        calibrated_softmax(logits.double().numpy(), position[declared])[0]
        if calibrate
        else torch.softmax(logits, dim=1).numpy()
    )
    counts = peer_counts(arrays, rows, candidates)
    total = counts.sum(axis=1)
    probs = (CONSENSUS_WEIGHT * network + counts) / (CONSENSUS_WEIGHT + total)[:, None]
    at, columns = np.arange(len(rows)), position[declared]
    best, network_best = probs.argmax(axis=1), network.argmax(axis=1)
    names = np.array(candidates, dtype=np.int64)
    predicted = names[best] if len(rows) else declared
    vocab = class_vocabulary()
    return ClassJudgement(
        rows=rows,
        declared=declared,
        predicted=predicted,
        p_declared=probs[at, columns] if len(rows) else np.zeros(0),
        p_predicted=probs[at, best] if len(rows) else np.zeros(0),
        peers=total,
        peers_predicted=counts[at, best] if len(rows) else np.zeros(0),
        network_predicted=names[network_best] if len(rows) else declared,
        network_p_declared=network[at, columns] if len(rows) else np.zeros(0),
        in_line=np.array(
            [vocab.in_line(int(a), int(b)) for a, b in zip(declared, predicted, strict=True)],
            dtype=bool,
        ),
    )


@dataclass(frozen=True, slots=True)
class EdgeJudgement:
    edges: np.ndarray  # [m, 3] the scored relationships present
    p_true: np.ndarray  # per relationship
    missing: np.ndarray  # [k, 3] the best relationship proposed where one is expected and absent
    p_missing: np.ndarray
    p_network: np.ndarray | None = None  # the network's own p_true, before calibration

    def node_scores(self) -> dict[int, float]:
        """Per dependent node: how likely its relationships are corrupted (the weakest present
        one, or the best proposal for an absent one)."""
        types = scored_type_ids()
        scores: dict[int, float] = {}
        for edge, p in zip(self.edges, self.p_true, strict=True):
            row = int(edge[types[int(edge[1])]])
            scores[row] = max(scores.get(row, 0.0), 1.0 - float(p))
        for edge, p in zip(self.missing, self.p_missing, strict=True):
            row = int(edge[types[int(edge[1])]])
            scores[row] = max(scores.get(row, 0.0), float(p))
        return scores


@torch.no_grad()
def judge_edges(
    trained: Trained, arrays: GraphArrays, samples: int = 64, *, calibrate: bool = True
) -> EdgeJudgement:
    """Probabilities of the present relationships and of the best missing ones, calibrated on
    the building's own relationships (`calibration.calibrate_edges`; `calibrate=False` for the
    raw network). `p_network` keeps the network's own probability of each present one."""
    net = trained.edges
    h = net.embed(inputs(arrays))
    types = scored_type_ids()
    present = arrays.edges[np.isin(arrays.edges[:, 1], list(types))]
    # only what the vocabulary lets the network judge (relationship_rules.yaml): a forbidden
    # relationship is a rule's finding, a regulation's own clauses are no building's structure
    present = present[kind_table().of(arrays.kinds, present)[1]]
    logits = net.logits(h, torch.from_numpy(present), pair_features(arrays, present)).numpy()
    p_network = expit(logits)
    missing, p_missing = _best_missing(trained, arrays, h, samples)
    # judged only where the network saw both ends in their roles in training (roles.py); the
    # others still shape the building's calibration below, as part of its relationships
    judged = known(trained.prior.roles, arrays, present)
    if not calibrate:
        return EdgeJudgement(
            present[judged], p_network[judged], missing, p_missing, p_network[judged]
        )
    moved, ok = rewire(arrays, present, np.random.default_rng(SEED))  # random wirings
    negative = moved[ok]
    negative_logits = net.logits(
        h, torch.from_numpy(negative), pair_features(arrays, negative)
    ).numpy()
    fitted = calibrate_edges(present[:, 1], logits, negative_logits, np.flatnonzero(ok))
    p_missing = fitted.proposed(missing[:, 1], p_missing, samples)
    # where most nodes of the kind in the building lack the type, that is the source's habit
    usual = usual_in_building(arrays.kinds, arrays.graph_of, arrays.edges, missing, types)
    p_missing = np.where(usual, p_missing, 0.0)
    return EdgeJudgement(
        present[judged], fitted.present(logits)[judged], missing, p_missing, p_network[judged]
    )


def score_triples(trained: Trained, arrays: GraphArrays, triples: np.ndarray) -> np.ndarray:
    """Probability of arbitrary (source, type, target) triples over this graph."""
    with torch.no_grad():
        h = trained.edges.embed(inputs(arrays))
        pairs = pair_features(arrays, triples)
        return torch.sigmoid(trained.edges.logits(h, torch.from_numpy(triples), pairs)).numpy()


def _best_missing(
    trained: Trained, arrays: GraphArrays, h: torch.Tensor, samples: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each node lacking a relationship type its kind nearly always has (>= 50% in
    training), the best of `samples` random candidates of the kinds seen at the other end."""
    proposals: list[np.ndarray] = []
    for (kind, rel), share in sorted(trained.prior.share.items()):
        if share < 0.5:
            continue
        dep_col = scored_type_ids()[rel]
        having = arrays.edges[arrays.edges[:, 1] == rel][:, dep_col]
        lacking = np.setdiff1d(np.flatnonzero(arrays.kinds == kind), having)
        others = np.flatnonzero(np.isin(arrays.kinds, trained.prior.other_kinds[(kind, rel)]))
        # never a candidate the vocabulary forbids (a point FEEDS nothing)
        others = others[kind_table().other_ends(kind, rel, dep_col)[arrays.kinds[others]]]
        if not len(lacking) or not len(others):
            continue
        rng = np.random.default_rng(0)  # proposals do not depend on call order
        for row in lacking:
            pool = others[(arrays.graph_of[others] == arrays.graph_of[row]) & (others != row)]
            pool = rng.permutation(pool)[:samples]
            triples = np.zeros((len(pool), 3), dtype=np.int64)
            triples[:, dep_col], triples[:, 1], triples[:, 2 - dep_col] = row, rel, pool
            proposals.append(triples)
    if not proposals:
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0)
    triples = np.concatenate(proposals)
    triples = triples[known(trained.prior.roles, arrays, triples)]
    if not len(triples):
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0)
    pairs = pair_features(arrays, triples)
    p = torch.sigmoid(trained.edges.logits(h, torch.from_numpy(triples), pairs)).numpy()
    best: dict[tuple[int, int], int] = {}
    for i, edge in enumerate(triples):
        key = (int(edge[scored_type_ids()[int(edge[1])]]), int(edge[1]))
        if key not in best or p[i] > p[best[key]]:
            best[key] = i
    chosen = np.array(sorted(best.values()), dtype=np.int64)
    return triples[chosen], p[chosen]
