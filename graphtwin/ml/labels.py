"""People's verdicts on drift findings (graphtwin.drift.labels), as training examples.

Training assumes the training buildings are right and learns from corruption of them. A label
says where that assumption fails, or holds against the model's doubt:

- a **semantic** finding (any rule) judged a **false alarm**: the node's declared class is right.
  The node is a verified example: its loss weighs `TrainConfig.labelled_weight`.
- a **semantic** finding **confirmed**: the declared class is wrong. The node's class is taken
  out (as if undeclared), so it is no training target and no neighbour reads it.
- a **structural** finding about one relationship (its evidence names it): a false alarm on
  "looks wrong", or a confirmed "likely missing", makes it a verified true relationship (put in
  the training graph if absent); a confirmed "looks wrong", or a false alarm on "likely
  missing", a verified false one (taken out of the training graph). Each is an extra example
  of every epoch, weighing `labelled_weight`.

A label applies where its entity (or both ends of its relationship) is in the training
buildings, by twin_id, and, for a semantic label, where the node still declares the class the
person judged. Only a finding's latest label in force counts: a withdrawn label teaches
nothing. The others are listed as unused, with why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from graphtwin.drift.labels import DriftLabel, Verdict, in_force
from graphtwin.ml.classes import CLASSIFIED_KINDS, class_vocabulary
from graphtwin.ml.corruption import edge_keys, scored_type_ids
from graphtwin.ml.features import kinds
from graphtwin.ml.tensors import GraphArrays, relationship_types


@dataclass(frozen=True, slots=True)
class Verified:
    """What people vouched for, in rows of the training arrays."""

    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Nodes whose declared class is right."""
    true_edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    false_edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))


@dataclass(frozen=True, slots=True)
class LabelledArrays:
    arrays: GraphArrays
    """The training arrays with the labels applied (wrong classes and edges out, true in)."""
    verified: Verified
    used: list[DriftLabel]
    unused: list[tuple[DriftLabel, str]]  # and why

    def manifest(self) -> dict[str, object]:
        """What a model's manifest says of the labels that trained it (`labels`)."""
        used = sorted((label.to_json() for label in self.used), key=lambda j: j["label_id"])
        canonical = json.dumps(used, sort_keys=True, separators=(",", ":")).encode()
        return {
            "sha256": hashlib.sha256(canonical).hexdigest() if used else None,
            "used": [
                {k: j[k] for k in ("label_id", "issue_id", "twin_id", "verdict", "by", "at")}
                | {"finding_key": j["finding_key"]}
                for j in used
            ],
            "unused": [
                {"label_id": label.label_id, "why": why}
                for label, why in sorted(self.unused, key=lambda u: u[0].label_id)
            ],
        }


def apply_labels(arrays: GraphArrays, labels: Iterable[DriftLabel]) -> LabelledArrays:
    """The training arrays as the labels correct them, and what they vouch for."""
    ordered = sorted(labels, key=lambda lb: (lb.at, lb.label_id))
    latest = {lb.finding_key: lb for lb in in_force(ordered)}  # the last one of each finding
    kept = {label.label_id for label in latest.values()}
    unused = [
        (lb, "a later label on the same finding overrides it")
        if lb.in_force
        else (lb, f"withdrawn by {lb.withdrawn_by} at {lb.withdrawn_at}")
        for lb in ordered
        if lb.label_id not in kept
    ]
    classes = arrays.classes.copy()
    rows: list[int] = []
    true_edges: list[tuple[int, int, int]] = []
    false_edges: list[tuple[int, int, int]] = []
    used: list[DriftLabel] = []
    for label in latest.values():
        if label.type == "semantic":
            why = _class_label(arrays, label, classes, rows)
        elif label.type == "structural" and label.relationship is not None:
            why = _edge_label(arrays, label, true_edges, false_edges)
        else:
            why = f"a {label.type} finding about no relationship teaches neither network"
        if why is None:
            used.append(label)
        else:
            unused.append((label, why))
    trues = np.array(true_edges, dtype=np.int64).reshape(-1, 3)
    falses = np.array(false_edges, dtype=np.int64).reshape(-1, 3)
    edges, n = arrays.edges, len(arrays)
    if len(trues) or len(falses):  # else the rows stay in their order (training reads it)
        edges = edges[~np.isin(edge_keys(edges, n), edge_keys(falses, n))]
        missing = trues[~np.isin(edge_keys(trues, n), edge_keys(edges, n))]
        edges = np.unique(np.concatenate([edges, missing]), axis=0)
    return LabelledArrays(
        arrays.with_classes(classes).with_edges(edges),
        Verified(np.array(sorted(rows), dtype=np.int64), trues, falses),
        used,
        unused,
    )


def _class_label(
    arrays: GraphArrays, label: DriftLabel, classes: np.ndarray, rows: list[int]
) -> str | None:
    row = arrays.index.get(label.twin_id)
    if row is None:
        return "its entity is not in the training buildings"
    if kinds()[int(arrays.kinds[row])] not in CLASSIFIED_KINDS or classes[row] < 0:
        return "its entity has no class the semantic network judges"
    if label.declared_class is not None:
        judged = class_vocabulary().lookup(label.declared_class)
        if judged != int(classes[row]):
            return f"its entity no longer declares {label.declared_class}"
    if label.verdict is Verdict.FALSE_ALARM:
        rows.append(row)
    else:
        classes[row] = -1
    return None


def _edge_label(
    arrays: GraphArrays,
    label: DriftLabel,
    true_edges: list[tuple[int, int, int]],
    false_edges: list[tuple[int, int, int]],
) -> str | None:
    assert label.relationship is not None
    start, rel_type, end = label.relationship
    a, b = arrays.index.get(start), arrays.index.get(end)
    if a is None or b is None:
        return "its relationship's ends are not both in the training buildings"
    names = relationship_types()
    rel = names.index(rel_type) if rel_type in names else -1
    if rel not in scored_type_ids():
        return f"the structural network does not judge {rel_type} relationships"
    claims_missing = (label.rule or "").endswith("missing_relationship")
    is_true = (label.verdict is Verdict.CONFIRMED) == claims_missing
    (true_edges if is_true else false_edges).append((a, rel, b))
    return None
