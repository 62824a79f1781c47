"""A building's own naming convention as evidence of class: nodes of one building whose names
say the same words once numbers are dropped ("VAV-2-01 ZN-T", "VAV-3-14 ZN-T") and that are of
the same kind are usually of the same class. What a node's peers declare is what the building's
majority thinks of it, which a model trained on other buildings cannot know. Only declared
classes are read, so it works on a building nobody but its author ever labelled."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from graphtwin.ml.features import piece_words
from graphtwin.ml.tensors import GraphArrays


def peer_counts(arrays: GraphArrays, rows: np.ndarray, candidates: list[int]) -> np.ndarray:
    """[rows, candidates]: how many of the row's peers (the node itself excluded) declare each
    candidate class. Peers are the classified nodes of the same member graph and kind whose
    names say the same words; a name with no words has none."""
    groups: dict[tuple, Counter[int]] = defaultdict(Counter)
    signature: dict[int, tuple] = {}
    for row in arrays.classified().tolist():
        words = frozenset(piece_words(arrays.name_pieces[row]))
        if words:
            signature[row] = (int(arrays.graph_of[row]), int(arrays.kinds[row]), words)
            groups[signature[row]][int(arrays.classes[row])] += 1
    column = {c: j for j, c in enumerate(candidates)}
    out = np.zeros((len(rows), len(candidates)), dtype=np.float32)
    for i, row in enumerate(rows.tolist()):
        if row not in signature:
            continue
        own = int(arrays.classes[row])
        for cls, count in groups[signature[row]].items():
            if cls in column:
                out[i, column[cls]] = count - (cls == own)
    return out
