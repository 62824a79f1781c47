"""Node features: what a node's kind, name and unit say, and, separately, the words of its
declared class.

Words are hashed into fixed-width bags (a stable CRC, not Python's salted hash, so features are
the same in every process) so buildings with different vocabularies share one feature space.
The declared class is kept apart from the rest because it is the thing under test: corruption
in training and evaluation changes only those columns. Telemetry is not a feature yet: none of
the training models carries any, so a model could only learn to ignore it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import cache

import numpy as np

from graphtwin.model import TwinNode
from graphtwin.name_tokens import expand, split_name
from graphtwin.vocabulary import vocabulary

NAME_DIM = 128
UNIT_DIM = 16
CLASS_DIM = 64


@cache
def kinds() -> list[str]:
    return list(vocabulary().node_kinds)


def evidence_dim() -> int:
    return len(kinds()) + NAME_DIM + UNIT_DIM


def bag(words: Iterable[str], dim: int) -> np.ndarray:
    """Hashed bag of words, L2-normalised."""
    out = np.zeros(dim, dtype=np.float32)
    for word in words:
        out[zlib.crc32(word.encode()) % dim] += 1.0
    norm = float(np.linalg.norm(out))
    return out / norm if norm else out


def name_words(name: str) -> list[str]:
    """Words of a name with numbers dropped: "VAV-2-01 ZN-T" says vav zone temperature."""
    return piece_words(split_name(name))


def piece_words(pieces: Iterable[str]) -> list[str]:
    """`name_words` of a name already split into pieces (as `GraphArrays.name_pieces` keeps it)."""
    return [w for w in expand(sorted(pieces)) if not w.isdigit()]


def evidence(node: TwinNode, kind_index: dict[str, int]) -> np.ndarray:
    """Everything but the declared class: kind one-hot, name words, unit."""
    kind = np.zeros(len(kind_index), dtype=np.float32)
    kind[kind_index[node.kind]] = 1.0
    unit = node.properties.get("unit")
    return np.concatenate(
        [
            kind,
            bag(name_words(node.name), NAME_DIM),
            bag([str(unit)] if unit else [], UNIT_DIM),
        ]
    )


def class_bags(class_words: list[list[str]]) -> np.ndarray:
    """One row per class: the hashed bag of its words (row i for class index i)."""
    return np.stack([bag(words, CLASS_DIM) for words in class_words]).astype(np.float32)


@cache
def _class_table() -> np.ndarray:
    from graphtwin.ml.classes import class_vocabulary

    vocab = class_vocabulary()
    return class_bags([vocab.words(i) for i in range(len(vocab))])


def class_features(classes: np.ndarray) -> np.ndarray:
    """Bag of the declared class's words per row; zeros where a row has no class."""
    table = _class_table()
    out = np.zeros((len(classes), CLASS_DIM), dtype=np.float32)
    known = classes >= 0
    out[known] = table[classes[known]]
    return out


def all_class_bags() -> np.ndarray:
    return _class_table()
