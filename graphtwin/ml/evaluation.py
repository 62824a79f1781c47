"""Held-out evaluation: for each building, train on all the others, inject known corruption into
it at each rate, and score the networks and both baselines on the same corruption.

Semantic drift is scored per classified node (was its class relabelled?), for the detector as
it ships (the network with the building's consensus), and for each of its two parts alone, so
the table shows what each contributes. Structural drift is
scored per node (were its relationships deleted or rewired? the rules can only answer this way)
and, for the two models that score relationships, per relationship: ROC-AUC over the labelled
set the networks train on (`training.edge_examples`): present relationships, true or rewired,
and the deleted ones against as many random wrong ones.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

from graphtwin.ml import baselines
from graphtwin.ml.corruption import corrupt_edges, relabel
from graphtwin.ml.dataset import TwinDataset
from graphtwin.ml.detection import DEFAULT_THRESHOLDS
from graphtwin.ml.peers import MIN_PEERS, peer_counts
from graphtwin.ml.rules import semantic_findings, structural_findings
from graphtwin.ml.scoring import EdgeJudgement, judge_classes, judge_edges, score_triples
from graphtwin.ml.tensors import GraphArrays
from graphtwin.ml.training import TrainConfig, Trained, edge_examples, train

SEMANTIC_THRESHOLD = DEFAULT_THRESHOLDS.semantic
"""The detector as it ships (`detection.Thresholds`), calibrated on the building."""
STRUCTURAL_THRESHOLD = DEFAULT_THRESHOLDS.structural
UNCALIBRATED_THRESHOLDS = {"semantic": 0.9, "structural": 0.5}
"""The thresholds of the uncalibrated detector before calibration, scored beside it."""
MIN_CLASSIFIED = 100
"""Buildings held out by default: those with enough classified nodes to score at 5%."""


@dataclass(frozen=True, slots=True)
class Score:
    building: str
    rate: float
    drift: str  # semantic | structural
    method: str  # gnn | network | consensus | rules | sklearn
    corrupted: int
    judged: int
    precision: float
    recall: float
    f1: float
    roc_auc: float | None
    edge_roc_auc: float | None = None
    seed: int | None = None  # of the corruption


@dataclass(slots=True)
class Evaluation:
    scores: list[Score] = field(default_factory=list)
    train_seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    config: dict[str, float | int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "config": self.config,
            "train_seconds": self.train_seconds,
            "scores": [asdict(s) for s in self.scores],
        }


def default_held_out(dataset: TwinDataset) -> list[str]:
    return [b.name for b in dataset.buildings if len(b.arrays.classified()) >= MIN_CLASSIFIED]


def evaluate(
    dataset: TwinDataset,
    held_out: list[str],
    rates: tuple[float, ...] = (0.05, 0.10),
    config: TrainConfig | None = None,
) -> Evaluation:
    config = config or TrainConfig()
    result = Evaluation(config=config.to_json())
    for name in held_out:
        trained, baseline, seconds = train_without(dataset, [name], config)
        result.train_seconds[name] = seconds
        result.scores += score_building(
            name, dataset.get(name).arrays, trained, baseline, rates, [config.seed]
        )
    return result


def train_without(
    dataset: TwinDataset, held_out: list[str], config: TrainConfig
) -> tuple[Trained, baselines.Baseline, dict[str, float]]:
    """The networks and the sklearn baseline trained on every building but `held_out`, and the
    seconds each took."""
    training = dataset.without(*held_out).union()
    started = time.perf_counter()
    trained = train(training, config)
    baseline = baselines.fit_baseline(training, config.seed)
    seconds = {
        **trained.seconds,
        "sklearn": round(time.perf_counter() - started - sum(trained.seconds.values()), 2),
    }
    return trained, baseline, seconds


def score_building(
    name: str,
    target: GraphArrays,
    trained: Trained,
    baseline: baselines.Baseline,
    rates: tuple[float, ...],
    seeds: list[int],
) -> list[Score]:
    """Every method on `target` with corruption drawn at each rate for each seed: one trained
    model serves every draw of corruption."""
    scores: list[Score] = []
    for seed in seeds:
        for rate in rates:
            rng = np.random.default_rng([seed, round(rate * 1000)])
            found = [
                *_semantic(name, rate, target, trained, baseline, rng),
                *_structural(name, rate, target, trained, baseline, rng),
            ]
            scores += [replace(s, seed=seed) for s in found]
    return scores


def _score(
    building: str,
    rate: float,
    drift: str,
    method: str,
    truth: np.ndarray,
    flags: np.ndarray,
    scores: np.ndarray,
    edge_auc: float | None = None,
) -> Score:
    p, r, f, _ = precision_recall_fscore_support(truth, flags, average="binary", zero_division=0.0)
    auc = float(roc_auc_score(truth, scores)) if 0 < truth.sum() < len(truth) else None
    return Score(
        building,
        rate,
        drift,
        method,
        int(truth.sum()),
        len(truth),
        round(float(p), 3),
        round(float(r), 3),
        round(float(f), 3),
        None if auc is None else round(auc, 3),
        edge_auc,
    )


def _semantic(name, rate, target, trained, baseline, rng) -> list[Score]:  # noqa: ANN001
    corrupted = relabel(target, rate, rng)
    judged = judge_classes(trained, corrupted.arrays)
    truth = np.isin(judged.rows, corrupted.rows)
    rule_rows = {f.row for f in semantic_findings(corrupted.arrays)}
    rule_flags = np.isin(judged.rows, sorted(rule_rows))
    sk = baselines.semantic_scores(baseline, corrupted.arrays)
    alone = _consensus_alone(corrupted.arrays, judged.rows)
    raw = judge_classes(trained, corrupted.arrays, calibrate=False)
    return [
        _score(
            name,
            rate,
            "semantic",
            "uncalibrated",
            truth,
            raw.flagged(UNCALIBRATED_THRESHOLDS["semantic"]),
            raw.scores,
        ),
        _score(
            name, rate, "semantic", "gnn", truth, judged.flagged(SEMANTIC_THRESHOLD), judged.scores
        ),
        _score(
            name,
            rate,
            "semantic",
            "network",
            truth,
            judged.flagged_by_network(SEMANTIC_THRESHOLD),
            1.0 - judged.network_p_declared,
        ),
        _score(name, rate, "semantic", "consensus", truth, alone >= SEMANTIC_THRESHOLD, alone),
        _score(name, rate, "semantic", "rules", truth, rule_flags, rule_flags.astype(float)),
        _score(name, rate, "semantic", "sklearn", truth, sk >= 0.5, sk),
    ]


def _consensus_alone(arrays: GraphArrays, rows: np.ndarray) -> np.ndarray:
    """Per row, the share of its peers declaring another class (0 with fewer than `MIN_PEERS`):
    the building's majority with no model at all."""
    candidates = sorted({int(c) for c in arrays.classes[rows]})
    counts = peer_counts(arrays, rows, candidates)
    column = np.searchsorted(candidates, arrays.classes[rows])
    agree = counts[np.arange(len(rows)), column]
    total = counts.sum(axis=1)
    return np.where(total >= MIN_PEERS, 1.0 - agree / np.maximum(total, 1.0), 0.0)


def _structural(name, rate, target, trained, baseline, rng) -> list[Score]:  # noqa: ANN001
    corrupted = corrupt_edges(target, rate, rng)
    arrays = corrupted.arrays
    truth = np.isin(np.arange(len(arrays)), corrupted.dependents())
    gnn = _node_scores(judge_edges(trained, arrays), len(arrays))
    raw = _node_scores(judge_edges(trained, arrays, calibrate=False), len(arrays))
    rule_flags = np.isin(np.arange(len(arrays)), [f.row for f in structural_findings(arrays)])
    sk = baselines.node_scores(baseline, arrays)
    triples, labels, _ = edge_examples(arrays, corrupted.wrong, corrupted.deleted, rng)
    gnn_edge = float(roc_auc_score(labels, score_triples(trained, arrays, triples)))
    sk_edge = float(roc_auc_score(labels, baselines.edge_scores(baseline, arrays, triples)))
    return [
        _score(
            name,
            rate,
            "structural",
            "gnn",
            truth,
            gnn >= STRUCTURAL_THRESHOLD,
            gnn,
            round(gnn_edge, 3),
        ),
        _score(
            name,
            rate,
            "structural",
            "uncalibrated",
            truth,
            raw >= UNCALIBRATED_THRESHOLDS["structural"],
            raw,
        ),
        _score(name, rate, "structural", "rules", truth, rule_flags, rule_flags.astype(float)),
        _score(name, rate, "structural", "sklearn", truth, sk >= 0.5, sk, round(sk_edge, 3)),
    ]


def _node_scores(judged: EdgeJudgement, count: int) -> np.ndarray:
    scores = np.zeros(count)
    for row, score in judged.node_scores().items():
        scores[row] = score
    return scores


def markdown_table(evaluation: Evaluation) -> str:
    """Per held-out building and rate: F1 (and ROC-AUC) of each method for each drift. The
    semantic detector's two parts alone (the network, the building's consensus) have columns of
    their own; they do not judge structure."""
    lines = [
        "| held-out building | corruption | drift | GNN F1 | network alone F1 "
        "| consensus alone F1 | rules F1 | sklearn F1 | GNN ROC-AUC | sklearn ROC-AUC "
        "| GNN edge ROC-AUC | sklearn edge ROC-AUC | corrupted / judged |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keyed = {(s.building, s.rate, s.drift, s.method): s for s in evaluation.scores}
    for building, rate, drift in dict.fromkeys(
        (s.building, s.rate, s.drift) for s in evaluation.scores
    ):
        g, r, k = (keyed[(building, rate, drift, m)] for m in ("gnn", "rules", "sklearn"))
        parts = [keyed.get((building, rate, drift, m)) for m in ("network", "consensus")]
        alone = " | ".join("n/a" if s is None else f"{s.f1:.2f}" for s in parts)
        lines.append(
            f"| {building} | {rate:.0%} | {drift} | **{g.f1:.2f}** | {alone} | {r.f1:.2f} "
            f"| {k.f1:.2f} | {_f(g.roc_auc)} | {_f(k.roc_auc)} | {_f(g.edge_roc_auc)} "
            f"| {_f(k.edge_roc_auc)} | {g.corrupted} / {g.judged} |"
        )
    return "\n".join(lines) + "\n"


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
