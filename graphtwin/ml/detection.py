"""Detection on a twin: the rules, and a trained model's judgements, as ranked drift findings.

Each model finding carries a score calibrated on the building itself (`calibration`: the chance
that the declared class or the relationship is wrong, or that the missing relationship is
real), its evidence (the probabilities, the network's own before calibration, the node's name
and neighbours) and the model's id and training sources, so an auditor can go from a drift issue
to the manifest and from there to the files that trained the model. A model finding is reported
when its score reaches its threshold (`Thresholds`); `rank` orders all findings.

Example:
    >>> ranked = rank(rule_findings(arrays) + model_findings(trained, manifest, arrays))
    >>> top = ranked[:10]  # what to look at first
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.corruption import scored_type_ids
from graphtwin.ml.rules import semantic_findings, structural_findings
from graphtwin.ml.tensors import GraphArrays, relationship_types

if TYPE_CHECKING:  # torch loads only when a model judges: the rules run without it
    from graphtwin.ml.training import Trained

RULE_NAMES = frozenset(
    {
        "point_without_equipment",
        "equipment_without_location",
        "vav_fed_by_nothing",
        "feeds_cycle",
        "name_contradicts_class",
        "vocabulary_violation",
        "data_quality",
    }
)
MODEL_RULES = frozenset({"gnn_semantic", "gnn_wrong_relationship", "gnn_missing_relationship"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The calibrated score a model finding needs. Semantic: p(declared class) <= 10% once the
    building's peers are counted (`scoring.judge_classes`); structural: p(true) <= 5% for a
    present relationship, >= 95% for a missing one (`scoring.judge_edges`). Chosen so that the
    twins known to be sound get at most about one finding per 1,000 nodes (docs/ml.md)."""

    semantic: float = 0.9
    structural: float = 0.95

    @classmethod
    def both(cls, threshold: float | None) -> Thresholds:
        """One threshold for every model finding, or the defaults for None."""
        return cls() if threshold is None else cls(threshold, threshold)


DEFAULT_THRESHOLDS = Thresholds()
_SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1}


def touched(finding: Finding) -> int:
    """How many nodes a finding concerns: a group's or summary's members, both ends of a
    relationship, else the node itself."""
    evidence = finding.evidence
    for key in ("members", "nodes"):
        if isinstance(evidence.get(key), list):
            return len(evidence[key])
    if isinstance(evidence.get("count"), int):
        return int(evidence["count"])
    return 2 if "relationship" in evidence else 1


def rank(findings: list[Finding]) -> list[Finding]:
    """Most certain first, then the more severe, then the one touching more nodes. A rule's
    finding (no score) is a fact about the graph and ranks as certain (1.0)."""
    return sorted(
        findings,
        key=lambda f: (
            -(1.0 if f.score is None else f.score),
            _SEVERITY_ORDER.get(f.severity, 2),
            -touched(f),
            f.twin_id,
            f.rule,
        ),
    )


def rule_findings(arrays: GraphArrays) -> list[Finding]:
    out = []
    for found, drift in (
        (structural_findings(arrays), DriftType.STRUCTURAL),
        (semantic_findings(arrays), DriftType.SEMANTIC),
    ):
        for f in found:
            out.append(
                Finding(
                    arrays.twin_ids[f.row],
                    drift,
                    f.rule,
                    Severity.WARNING,
                    f.description,
                    evidence={"rule": f.rule, **f.evidence},
                )
            )
    return out


def model_findings(
    trained: Trained,
    manifest: dict[str, Any],
    arrays: GraphArrays,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Finding]:
    """The networks' findings whose calibrated score reaches its threshold."""
    provenance = {
        "model_id": manifest["model_id"],
        "trained_on": [
            {"file": s["file"], "sha256": s["sha256"]} for s in manifest["training_sources"]
        ],
    }
    return [
        *_semantic(trained, arrays, provenance, thresholds.semantic),
        *_structural(trained, arrays, provenance, thresholds.structural),
    ]


def _semantic(
    trained: Trained, arrays: GraphArrays, provenance: dict[str, Any], threshold: float
) -> list[Finding]:
    vocab = class_vocabulary()
    from graphtwin.ml.scoring import judge_classes

    judged = judge_classes(trained, arrays)
    out = []
    for i in np.flatnonzero(judged.flagged(threshold)):
        row = int(judged.rows[i])
        declared = vocab.names[int(judged.declared[i])]
        likely = vocab.names[int(judged.predicted[i])]
        p = float(judged.p_predicted[i])
        alike, peers = int(judged.peers_predicted[i]), int(judged.peers[i])
        out.append(
            Finding(
                arrays.twin_ids[row],
                DriftType.SEMANTIC,
                "gnn_semantic",
                Severity.CRITICAL if judged.p_declared[i] < 0.01 else Severity.WARNING,
                f"declared {declared}, looks like {likely} (p={p:.2f}; "
                f"{alike} of {peers} nodes named alike declare {likely})",
                score=round(float(judged.scores[i]), 4),
                evidence={
                    **provenance,
                    "declared": declared,
                    "likely": likely,
                    "p_likely": round(p, 4),
                    "p_declared": round(float(judged.p_declared[i]), 4),
                    "network_p_declared": round(float(judged.network_p_declared[i]), 4),
                    "peers": peers,
                    "peers_likely": alike,
                    "neighbours": _neighbours(arrays, row),
                },
            )
        )
    return out


def _structural(
    trained: Trained, arrays: GraphArrays, provenance: dict[str, Any], threshold: float
) -> list[Finding]:
    types, names = scored_type_ids(), relationship_types()
    from graphtwin.ml.scoring import judge_edges

    judged = judge_edges(trained, arrays)
    out = []
    network = judged.p_true if judged.p_network is None else judged.p_network
    for edge, p, raw in zip(judged.edges, judged.p_true, network, strict=True):
        if 1.0 - p < threshold:
            continue
        dependent = int(edge[types[int(edge[1])]])
        described = _describe(arrays, edge, names)
        out.append(
            Finding(
                arrays.twin_ids[dependent],
                DriftType.STRUCTURAL,
                "gnn_wrong_relationship",
                Severity.WARNING,
                f"{described} looks wrong (p={float(p):.2f} that it is true)",
                score=round(1.0 - float(p), 4),
                evidence={
                    **provenance,
                    "relationship": _triple(arrays, edge, names),
                    "p_true": round(float(p), 4),
                    "network_p_true": round(float(raw), 4),
                },
            )
        )
    for edge, p in zip(judged.missing, judged.p_missing, strict=True):
        if p < threshold:
            continue
        dependent = int(edge[types[int(edge[1])]])
        out.append(
            Finding(
                arrays.twin_ids[dependent],
                DriftType.STRUCTURAL,
                "gnn_missing_relationship",
                Severity.WARNING,
                f"likely missing: {_describe(arrays, edge, names)} (p={float(p):.2f})",
                score=round(float(p), 4),
                evidence={
                    **provenance,
                    "relationship": _triple(arrays, edge, names),
                    "p_true": round(float(p), 4),
                },
            )
        )
    return out


def _describe(arrays: GraphArrays, edge: np.ndarray, names: list[str]) -> str:
    a, rel, b = (int(v) for v in edge)
    return f"({arrays.twin_ids[a]})-[:{names[rel]}]->({arrays.twin_ids[b]})"


def _triple(arrays: GraphArrays, edge: np.ndarray, names: list[str]) -> dict[str, str]:
    a, rel, b = (int(v) for v in edge)
    return {"start": arrays.twin_ids[a], "type": names[rel], "end": arrays.twin_ids[b]}


def _neighbours(arrays: GraphArrays, row: int, limit: int = 8) -> list[dict[str, str]]:
    """What the node is connected to, as the model saw it (first `limit`)."""
    vocab = class_vocabulary()
    names = relationship_types()
    out = []
    for a, rel, b in arrays.edges[(arrays.edges[:, 0] == row) | (arrays.edges[:, 2] == row)]:
        other = int(b) if a == row else int(a)
        cls = int(arrays.classes[other])
        out.append(
            {
                "twin_id": arrays.twin_ids[other],
                "relationship": names[int(rel)] if a == row else f"<-{names[int(rel)]}",
                "class": vocab.names[cls] if cls >= 0 else "",
            }
        )
        if len(out) >= limit:
            break
    return out
