"""Training both networks on a set of buildings, deterministically on CPU for a given seed.

Both learn from corruption of their own training data (self-supervised: no labelled errors
exist): each epoch relabels some classes or deletes and rewires some relationships of the
training graphs at a random rate, and the networks learn to recover the truth. They never see
the buildings they are evaluated on.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from graphtwin.ml.corruption import corrupt_edges, edge_keys, relabel, rewire, scored_type_ids
from graphtwin.ml.features import all_class_bags
from graphtwin.ml.labels import Verified
from graphtwin.ml.networks import ClassNet, EdgeNet, class_agreement, inputs, pair_features
from graphtwin.ml.roles import Role, seen_roles
from graphtwin.ml.tensors import GraphArrays


@dataclass(frozen=True, slots=True)
class TrainConfig:
    seed: int = 7
    hidden: int = 64
    layers: int = 2
    semantic_epochs: int = 200
    structural_epochs: int = 200
    learning_rate: float = 0.01
    weight_decay: float = 1e-4
    max_corruption: float = 0.15
    """Each epoch corrupts a rate drawn uniformly from [0.02, max_corruption]."""
    corrupted_weight: float = 3.0
    """Loss weight of a corrupted node against an intact one (errors are the rare class)."""
    labelled_weight: float = 3.0
    """Loss weight of an example a person vouched for (graphtwin.ml.labels) against a mean one."""

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)


def seed_everything(seed: int) -> np.random.Generator:
    """Same seed, same weights on CPU: torch and numpy seeded, nondeterministic kernels refused.
    One thread: building graphs are small, and on a busy machine threads waiting on each other
    for such tiny kernels made training 30x slower (measured)."""
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    return np.random.default_rng(seed)


@dataclass(slots=True)
class Prior:
    """How often a dependent node of a kind has a relationship of a type in training, and the
    kinds at the other end: what `missing` means for the structural model."""

    share: dict[tuple[int, int], float]
    other_kinds: dict[tuple[int, int], list[int]]
    roles: dict[Role, int]
    """How often each class (or kind) stood on each side of each type in training (`roles.py`)."""

    def to_json(self) -> dict[str, list]:
        return {
            "share": [[k, r, s] for (k, r), s in sorted(self.share.items())],
            "other_kinds": [[k, r, o] for (k, r), o in sorted(self.other_kinds.items())],
            "roles": [[*role, n] for role, n in sorted(self.roles.items())],
        }

    @classmethod
    def from_json(cls, raw: dict[str, list]) -> Prior:
        return cls(
            share={(k, r): s for k, r, s in raw["share"]},
            other_kinds={(k, r): o for k, r, o in raw["other_kinds"]},
            roles={(name, rel, side): n for name, rel, side, n in raw["roles"]},
        )


def structural_prior(arrays: GraphArrays) -> Prior:
    share: dict[tuple[int, int], float] = {}
    others: dict[tuple[int, int], list[int]] = {}
    for rel, dep_col in scored_type_ids().items():
        edges = arrays.edges[arrays.edges[:, 1] == rel]
        dependents = edges[:, dep_col]
        for kind in np.unique(arrays.kinds[dependents]):
            of_kind = np.flatnonzero(arrays.kinds == kind)
            having = np.unique(dependents[arrays.kinds[dependents] == kind])
            share[(int(kind), rel)] = len(having) / len(of_kind)
            at_other = arrays.kinds[edges[arrays.kinds[dependents] == kind][:, 2 - dep_col]]
            others[(int(kind), rel)] = sorted({int(k) for k in at_other})
    return Prior(share, others, seen_roles(arrays))


@dataclass(slots=True)
class Trained:
    classes: ClassNet
    edges: EdgeNet
    candidates: list[int]  # class indices the class head was trained over
    prior: Prior
    seconds: dict[str, float]


def train(
    arrays: GraphArrays,
    config: TrainConfig,
    device: str = "cpu",
    verified: Verified | None = None,
) -> Trained:
    """`verified`: what people's labels vouch for (graphtwin.ml.labels; `arrays` with the labels
    applied), weighed `config.labelled_weight` in both networks' losses."""
    rng = seed_everything(config.seed)
    verified = verified or Verified()
    started = time.perf_counter()
    class_net, candidates = _train_classes(arrays, config, rng, device, verified)
    mid = time.perf_counter()
    edge_net = _train_edges(arrays, config, rng, device, verified)
    return Trained(
        classes=class_net.cpu().eval(),
        edges=edge_net.cpu().eval(),
        candidates=candidates,
        prior=structural_prior(arrays),
        seconds={
            "semantic": round(mid - started, 2),
            "structural": round(time.perf_counter() - mid, 2),
        },
    )


def _optimizer(net: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    return torch.optim.Adam(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )


def _rate(config: TrainConfig, rng: np.random.Generator) -> float:
    return float(rng.uniform(0.02, config.max_corruption))


def _train_classes(
    arrays: GraphArrays,
    config: TrainConfig,
    rng: np.random.Generator,
    device: str,
    verified: Verified,
) -> tuple[ClassNet, list[int]]:
    rows = arrays.classified()
    candidates = sorted({int(c) for c in arrays.classes[rows]})
    position = {c: i for i, c in enumerate(candidates)}
    bags = torch.from_numpy(all_class_bags()[candidates]).to(device)
    same_kind = kind_mask(arrays, rows, candidates).to(device)
    target = torch.tensor([position[int(c)] for c in arrays.classes[rows]], device=device)
    net = ClassNet(config.hidden, config.layers).to(device)
    optimizer = _optimizer(net, config)
    row_index = torch.from_numpy(rows).to(device)
    vouched = torch.from_numpy(np.isin(rows, verified.rows)).to(device)
    for _ in range(config.semantic_epochs):
        corrupted = relabel(arrays, _rate(config, rng), rng)
        weight = torch.ones(len(rows), device=device)
        weight[torch.from_numpy(np.isin(rows, corrupted.rows)).to(device)] = config.corrupted_weight
        weight[vouched] = torch.clamp(weight[vouched], min=config.labelled_weight)
        data = _to(inputs(corrupted.arrays), device)
        net.train()
        optimizer.zero_grad()
        agreement = class_agreement(corrupted.arrays, rows, candidates).to(device)
        logits = net(data, row_index, bags, agreement).masked_fill(~same_kind, float("-inf"))
        loss = (nn.functional.cross_entropy(logits, target, reduction="none") * weight).mean()
        loss.backward()
        optimizer.step()
    return net, candidates


def kind_mask(arrays: GraphArrays, rows: np.ndarray, candidates: list[int]) -> torch.Tensor:
    """[rows, candidates]: True where the candidate class is of the row's kind."""
    from graphtwin.ml.classes import class_vocabulary
    from graphtwin.ml.features import kinds

    vocab = class_vocabulary()
    kind_names = kinds()
    row_kinds = np.array([kind_names[k] for k in arrays.kinds[rows]])
    cand_kinds = np.array([vocab.kinds[c] for c in candidates])
    return torch.from_numpy(row_kinds[:, None] == cand_kinds[None, :])


def _train_edges(
    arrays: GraphArrays,
    config: TrainConfig,
    rng: np.random.Generator,
    device: str,
    verified: Verified,
) -> EdgeNet:
    net = EdgeNet(config.hidden, config.layers).to(device)
    optimizer = _optimizer(net, config)
    for _ in range(config.structural_epochs):
        corrupted = corrupt_edges(arrays, _rate(config, rng), rng)
        triples, labels, weights = edge_examples(
            corrupted.arrays,
            corrupted.wrong,
            corrupted.deleted,
            rng,
            verified=verified,
            verified_weight=config.labelled_weight,
        )
        data = _to(inputs(corrupted.arrays), device)
        net.train()
        optimizer.zero_grad()
        logits = net.logits(
            net.embed(data),
            torch.from_numpy(triples).to(device),
            pair_features(corrupted.arrays, triples).to(device),
        )
        loss = nn.functional.binary_cross_entropy_with_logits(
            logits, torch.from_numpy(labels).to(device), weight=torch.from_numpy(weights).to(device)
        )
        loss.backward()
        optimizer.step()
    return net


def edge_examples(
    arrays: GraphArrays,
    wrong: np.ndarray,
    deleted: np.ndarray,
    rng: np.random.Generator,
    *,
    verified: Verified | None = None,
    verified_weight: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scored relationships labelled true (1) or not (0), with weights. Present ones: true or
    wrong (rewired); absent ones: deleted (true) or a random rewiring of those (not true). Both
    groups hold both labels, so being in the graph says nothing by itself; each label of each
    group weighs the same in total (a mean weight of 1). Relationships a person vouched for
    (`verified`) follow, each weighing `verified_weight`."""
    present = arrays.edges[np.isin(arrays.edges[:, 1], list(scored_type_ids()))]
    is_wrong = np.isin(edge_keys(present, len(arrays)), edge_keys(wrong, len(arrays)))
    moved, ok = rewire(arrays, deleted, rng)
    groups = [(present[~is_wrong], 1.0), (present[is_wrong], 0.0), (deleted, 1.0), (moved[ok], 0.0)]
    triples = np.concatenate([g for g, _ in groups])
    labels = np.concatenate([np.full(len(g), y) for g, y in groups]).astype(np.float32)
    weights = np.concatenate([np.full(len(g), 1.0 / max(len(g), 1)) for g, _ in groups])
    weights = weights / weights.sum() * len(triples)
    if verified is None or not (len(verified.true_edges) or len(verified.false_edges)):
        return triples, labels, weights.astype(np.float32)
    vouched = np.concatenate([verified.true_edges, verified.false_edges])
    truth = np.r_[np.ones(len(verified.true_edges)), np.zeros(len(verified.false_edges))]
    return (
        np.concatenate([triples, vouched]),
        np.concatenate([labels, truth]).astype(np.float32),
        np.r_[weights, np.full(len(vouched), verified_weight)].astype(np.float32),
    )


def _to(data, device: str):  # noqa: ANN001, ANN202 - Inputs moved as a whole
    from graphtwin.ml.networks import Inputs

    return Inputs(data.x.to(device), data.edge_index.to(device), data.edge_type.to(device))
