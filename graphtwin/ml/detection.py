"""Detection on a twin: the rules, and a trained model's judgements, as drift findings.

Each model finding carries its evidence (the probabilities, the node's name and neighbours) and
the model's id and training sources, so an auditor can go from a drift issue to the manifest
and from there to the files that trained the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity
from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.corruption import scored_type_ids
from graphtwin.ml.evaluation import SEMANTIC_THRESHOLD, STRUCTURAL_THRESHOLD
from graphtwin.ml.rules import semantic_findings, structural_findings
from graphtwin.ml.scoring import judge_classes, judge_edges
from graphtwin.ml.tensors import GraphArrays, relationship_types
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
MISSING_THRESHOLD = 0.9
"""A relationship is proposed as missing only when the model is this sure of it."""


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
    trained: Trained, manifest: dict[str, Any], arrays: GraphArrays
) -> list[Finding]:
    provenance = {
        "model_id": manifest["model_id"],
        "trained_on": [
            {"file": s["file"], "sha256": s["sha256"]} for s in manifest["training_sources"]
        ],
    }
    return [
        *_semantic(trained, arrays, provenance),
        *_structural(trained, arrays, provenance),
    ]


def _semantic(trained: Trained, arrays: GraphArrays, provenance: dict[str, Any]) -> list[Finding]:
    vocab = class_vocabulary()
    judged = judge_classes(trained, arrays)
    out = []
    for i in np.flatnonzero(judged.flagged(SEMANTIC_THRESHOLD)):
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


def _structural(trained: Trained, arrays: GraphArrays, provenance: dict[str, Any]) -> list[Finding]:
    types, names = scored_type_ids(), relationship_types()
    judged = judge_edges(trained, arrays)
    out = []
    for edge, p in zip(judged.edges, judged.p_true, strict=True):
        if 1.0 - p < STRUCTURAL_THRESHOLD:
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
                },
            )
        )
    for edge, p in zip(judged.missing, judged.p_missing, strict=True):
        if p < MISSING_THRESHOLD:
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
