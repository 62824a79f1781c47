"""A building's own naming convention as evidence of class: nodes of one building whose names
say the same words once numbers are dropped ("VAV-2-01 ZN-T", "VAV-3-14 ZN-T") and that are of
the same kind are usually of the same class. Where a name has fewer than `MIN_PEERS` such peers
(it also says where: "RMI505 Space Temperature Perimeter"), its peers are the nodes whose names
say the same words of Brick class names ("space temperature").

What a node's peers declare is what the building's majority thinks of it, which a model trained
on other buildings cannot know. Only declared classes are read, so it works on a building nobody
but its author ever labelled."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from functools import cache

import numpy as np

from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.features import name_words, piece_words
from graphtwin.ml.tensors import GraphArrays

MIN_PEERS = 2
"""Peers a semantic finding needs. With one, two nodes disagree and nothing in the building says
which is wrong; the network alone would have to, and on unseen buildings it is not precise
enough (docs/ml.md)."""


@cache
def class_words() -> frozenset[str]:
    """Every word of every point and equipment class name, as names' words are spelled."""
    vocab = class_vocabulary()
    return frozenset(w for name in vocab.names for w in name_words(name))


def peer_counts(arrays: GraphArrays, rows: np.ndarray, candidates: list[int]) -> np.ndarray:
    """[rows, candidates]: how many of the row's peers (the node itself excluded) declare each
    candidate class. Peers are the classified nodes of the same member graph and kind whose
    names say the same words, or, for a row with fewer than `MIN_PEERS` of those, the same
    class words; a name with no such words has none."""
    named_alike = _peers_by(arrays, lambda words: words)
    same_class_words = _peers_by(arrays, lambda words: words & class_words())
    column = {c: j for j, c in enumerate(candidates)}
    out = np.zeros((len(rows), len(candidates)), dtype=np.float32)
    for i, row in enumerate(rows.tolist()):
        peers = named_alike.get(row, Counter())
        wider = same_class_words.get(row, Counter())
        if peers.total() < MIN_PEERS <= wider.total():
            peers = wider
        for cls, count in peers.items():
            if cls in column:
                out[i, column[cls]] = count
    return out


def _peers_by(
    arrays: GraphArrays, signature: Callable[[frozenset[str]], frozenset[str]]
) -> dict[int, Counter[int]]:
    """Per classified row, the declared classes of the other rows of its member graph and kind
    whose names have the same (non-empty) signature."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in arrays.classified().tolist():
        words = signature(frozenset(piece_words(arrays.name_pieces[row])))
        if words:
            groups[(int(arrays.graph_of[row]), int(arrays.kinds[row]), words)].append(row)
    out: dict[int, Counter[int]] = {}
    for members in groups.values():
        declared = Counter(int(arrays.classes[r]) for r in members)
        for row in members:
            out[row] = declared - Counter({int(arrays.classes[row]): 1})
    return out
