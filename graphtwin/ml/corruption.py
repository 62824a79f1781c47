"""Known corruption, injected so detection can be scored: relabelled classes, deleted and
rewired relationships. Training uses the same corruption to teach the models what wrong looks
like; evaluation injects it into a building the models never saw.

A relabel picks a plausible wrong class: another class of the same building with the same last
word (a Supply_Air_Temperature_Sensor becomes a Return_Air_Temperature_Sensor, not a Fan), then a
Brick sibling, then any other class of the building of the same kind; never one above or below
the true class in the hierarchy (Temperature_Sensor is vague, not wrong). A rewire keeps the
dependent end of a relationship (the point of HAS_POINT, the located thing of LOCATED_IN, the
fed thing of FEEDS, the part of HAS_PART) and moves the other end to another node of the same
kind, as a wrong wiring in a model does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from graphtwin.ml.classes import class_vocabulary, suffix
from graphtwin.ml.tensors import GraphArrays, relationship_types

SCORED_TYPES: tuple[str, ...] = ("FEEDS", "HAS_POINT", "HAS_PART", "LOCATED_IN")
DEPENDENT_COLUMN: dict[str, int] = {"FEEDS": 2, "HAS_POINT": 2, "HAS_PART": 2, "LOCATED_IN": 0}
"""Which end of each scored relationship depends on the other (0 = start, 2 = end)."""


@cache
def scored_type_ids() -> dict[int, int]:
    """Relationship type index -> dependent column, for the scored types."""
    names = relationship_types()
    return {names.index(t): DEPENDENT_COLUMN[t] for t in SCORED_TYPES}


@dataclass(frozen=True, slots=True)
class Relabelled:
    arrays: GraphArrays
    rows: np.ndarray  # rows whose class was changed
    original: np.ndarray  # their true classes


def relabel(arrays: GraphArrays, rate: float, rng: np.random.Generator) -> Relabelled:
    rows = arrays.classified()
    count = min(len(rows), round(rate * len(rows)))
    chosen = np.sort(rng.choice(rows, size=count, replace=False)) if count else rows[:0]
    classes = arrays.classes.copy()
    present = _present_classes(arrays)
    kept = []
    for row in chosen:
        wrong = _plausible_wrong(int(classes[row]), present[int(arrays.graph_of[row])], rng)
        if wrong is not None:
            classes[row] = wrong
            kept.append(row)
    done = np.array(kept, dtype=np.int64)
    return Relabelled(arrays.with_classes(classes), done, arrays.classes[done])


def _present_classes(arrays: GraphArrays) -> dict[int, list[int]]:
    rows = arrays.classified()
    out: dict[int, set[int]] = {}
    for row in rows:
        out.setdefault(int(arrays.graph_of[row]), set()).add(int(arrays.classes[row]))
    return {g: sorted(c) for g, c in out.items()}


def _plausible_wrong(true: int, present: list[int], rng: np.random.Generator) -> int | None:
    vocab = class_vocabulary()
    kind, last = vocab.kinds[true], suffix(vocab.names[true])
    # a class above or below the true one is not wrong, only more or less specific
    same_kind = [c for c in present if vocab.kinds[c] == kind and not vocab.in_line(c, true)]
    for candidates in (
        [c for c in same_kind if suffix(vocab.names[c]) == last],
        _siblings(true),
        same_kind,
    ):
        if candidates:
            return int(candidates[rng.integers(len(candidates))])
    return None


def _siblings(true: int) -> list[int]:
    vocab = class_vocabulary()
    parents = set(vocab.parents[true])
    return [
        i
        for i, p in enumerate(vocab.parents)
        if i != true and parents & set(p) and vocab.kinds[i] == vocab.kinds[true]
    ]


@dataclass(frozen=True, slots=True)
class Rewiring:
    arrays: GraphArrays  # with the corruption applied
    deleted: np.ndarray  # [d, 3] true relationships no longer there
    wrong: np.ndarray  # [w, 3] wrong relationships now there
    replaced: np.ndarray  # [w, 3] the true relationships they replaced

    def dependents(self) -> np.ndarray:
        """Rows whose relationships were corrupted (the dependent end of each)."""
        rows = [_dependent(e) for e in (*self.deleted, *self.wrong)]
        return np.unique(np.array(rows, dtype=np.int64))


def _dependent(edge: np.ndarray) -> int:
    return int(edge[scored_type_ids()[int(edge[1])]])


def corrupt_edges(arrays: GraphArrays, rate: float, rng: np.random.Generator) -> Rewiring:
    """Delete half and rewire half of `rate` of the scored relationships."""
    types = scored_type_ids()
    scored = np.flatnonzero(np.isin(arrays.edges[:, 1], list(types)))
    count = min(len(scored), round(rate * len(scored)))
    chosen = rng.permutation(scored)[:count]
    delete, rewire_rows = chosen[: count // 2], chosen[count // 2 :]
    moved, ok = rewire(arrays, arrays.edges[rewire_rows], rng)
    wrong, replaced = moved[ok], arrays.edges[rewire_rows][ok]
    dropped = set(delete.tolist()) | set(rewire_rows[ok].tolist())
    keep = np.array([i for i in range(len(arrays.edges)) if i not in dropped], dtype=np.int64)
    edges = np.concatenate([arrays.edges[keep], wrong])
    return Rewiring(
        arrays.with_edges(edges), deleted=arrays.edges[delete], wrong=wrong, replaced=replaced
    )


def rewire(
    arrays: GraphArrays, edges: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each relationship with its non-dependent end moved to a random other node of that end's
    kind in the same graph, and a mask of those that became a relationship not already there."""
    dep_cols = np.array([scored_type_ids()[int(t)] for t in edges[:, 1]], dtype=np.int64)
    other_cols = 2 - dep_cols
    rows = np.arange(len(edges))
    others = edges[rows, other_cols]
    groups = _groups(arrays)
    picked = others.copy()
    for key, members in groups.items():
        mine = np.flatnonzero(
            (arrays.kinds[others] == key[1]) & (arrays.graph_of[others] == key[0])
        )
        if len(mine) and len(members) > 1:
            picked[mine] = members[rng.integers(len(members), size=len(mine))]
    moved = edges.copy()
    moved[rows, other_cols] = picked
    existing = edge_keys(arrays.edges, len(arrays))
    ok = (
        (picked != others)
        & (picked != edges[rows, dep_cols])
        & ~np.isin(edge_keys(moved, len(arrays)), existing)
    )
    return moved, ok


def _groups(arrays: GraphArrays) -> dict[tuple[int, int], np.ndarray]:
    """Rows by (graph, kind)."""
    keys = arrays.graph_of * 1000 + arrays.kinds
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    return {
        (int(k) // 1000, int(k) % 1000): order[a:b]
        for k, a, b in zip(uniq, starts, bounds, strict=True)
    }


def edge_keys(edges: np.ndarray, n: int) -> np.ndarray:
    """One integer per (source, type, target), for set tests in numpy."""
    return (edges[:, 0] * 64 + edges[:, 1]) * n + edges[:, 2]
