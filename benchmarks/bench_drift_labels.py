"""Do drift labels teach? A building is taken as sound, with `k` of its relationships rewired
first (a point on another piece of equipment, a space in another floor: odd, but true of this
building, as a person who knows it says). Per seed, the networks train on it without labels,
then with half of those odd relationships labelled false alarms ("looks wrong" is wrong), same
seed; the structural network's p_true of the labelled half is compared with the unlabelled half.

Same-run baseline: the unlabelled half (the control), trained the same way in the same run; it
moves only because the labels change the training as a whole.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import note
from graphtwin.drift.labels import DriftLabel, Verdict, finding_key
from graphtwin.ml.corruption import rewire, scored_type_ids
from graphtwin.ml.dataset import building
from graphtwin.ml.labels import apply_labels
from graphtwin.ml.scoring import score_triples
from graphtwin.ml.tensors import GraphArrays, relationship_types
from graphtwin.ml.training import TrainConfig, train

DEFAULT_FILE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "brick"
    / "buildingmotif_mediumOffice_brick.ttl"
)


@dataclass(frozen=True, slots=True)
class DriftLabelsOptions:
    data: Path = DEFAULT_FILE
    seeds: tuple[int, ...] = (3, 4, 5)
    k: int = 20
    epochs: int = 80
    hidden: int = 32


@dataclass(slots=True)
class DriftLabelsResult:
    options: DriftLabelsOptions
    nodes: int
    runs: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        o = self.options
        return {
            "data": o.data.name,
            "seeds": list(o.seeds),
            "k": o.k,
            "epochs": o.epochs,
            "hidden": o.hidden,
            "nodes": self.nodes,
            "runs": self.runs,
        }


def run_drift_labels(options: DriftLabelsOptions) -> DriftLabelsResult:
    sound = building(options.data).arrays
    result = DriftLabelsResult(options, len(sound))
    for seed in options.seeds:
        arrays, odd = _with_odd_relationships(sound, options.k, np.random.default_rng(seed))
        config = TrainConfig(
            seed=seed,
            hidden=options.hidden,
            semantic_epochs=1,
            structural_epochs=options.epochs,
        )
        labelled = apply_labels(arrays, [_edge_label(arrays, e) for e in odd[::2]])
        run: dict[str, Any] = {"seed": seed, "labels": len(labelled.used), "odd": len(odd)}
        note(f"drift-labels: seed {seed}, {len(odd)} odd relationships, without labels")
        before = train(arrays, config)
        note(f"drift-labels: seed {seed}, with {len(labelled.used)} labels")
        after = train(labelled.arrays, config, verified=labelled.verified)
        for name, trained in (("before", before), ("after", after)):
            p = score_triples(trained, arrays, odd)
            run[name] = {"labelled": float(np.mean(p[::2])), "control": float(np.mean(p[1::2]))}
        result.runs.append(run)
    return result


def _with_odd_relationships(
    arrays: GraphArrays, k: int, rng: np.random.Generator
) -> tuple[GraphArrays, np.ndarray]:
    """`arrays` with `k` scored relationships rewired (taken as true), and the rewired ones."""
    scored = np.flatnonzero(np.isin(arrays.edges[:, 1], list(scored_type_ids())))
    chosen = rng.permutation(scored)[: 2 * k]
    moved, ok = rewire(arrays, arrays.edges[chosen], rng)
    chosen, odd = chosen[ok][:k], moved[ok][:k]
    keep = np.setdiff1d(np.arange(len(arrays.edges)), chosen)
    edges = np.unique(np.concatenate([arrays.edges[keep], odd]), axis=0)
    return arrays.with_edges(edges), odd


def _edge_label(arrays: GraphArrays, edge: np.ndarray) -> DriftLabel:
    a, rel, b = (int(v) for v in edge)
    start, rel_type, end = arrays.twin_ids[a], relationship_types()[rel], arrays.twin_ids[b]
    dependent = arrays.twin_ids[int(edge[scored_type_ids()[rel]])]
    evidence = {"relationship": {"start": start, "type": rel_type, "end": end}}
    return _label(
        dependent,
        "structural",
        "gnn_wrong_relationship",
        finding_key("structural", "gnn_wrong_relationship", dependent, evidence),
        relationship=(start, rel_type, end),
    )


def _label(
    twin_id: str,
    drift_type: str,
    rule: str,
    key: str,
    relationship: tuple[str, str, str] | None = None,
) -> DriftLabel:
    return DriftLabel(
        label_id=f"label:bench:{key}",
        issue_id=f"bench:{key}",
        twin_id=twin_id,
        type=drift_type,
        rule=rule,
        finding_key=key,
        verdict=Verdict.FALSE_ALARM,
        note="sound building: the model doubted a true fact",
        by="benchmark",
        at="2026-01-01T00:00:00.000Z",
        relationship=relationship,
    )


def report_drift_labels(result: DriftLabelsResult) -> str:
    o = result.options
    lines = [
        f"## Drift labels: {o.k} odd but true relationships in {o.data.name} "
        f"({result.nodes} nodes), half labelled false alarms; seeds {list(o.seeds)}, "
        f"{o.epochs} epochs",
        "",
        "| structural p_true (mean over seeds +- stdev) | before labels | after labels |",
        "|---|---|---|",
    ]
    for group in ("labelled", "control"):
        before = _spread([run["before"][group] for run in result.runs])
        after = _spread([run["after"][group] for run in result.runs])
        lines.append(f"| {group} half | {before} | {after} |")
    return "\n".join(lines)


def _spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} +- {sd:.3f}"
