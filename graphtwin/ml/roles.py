"""Which ends of which relationships training saw: the structural network judges only those.

An end is named by its class, or by its kind where it has none, and its role is the side of a
relationship type it stands on (`Direct_Expansion_Cooling_Coil` as the start of `HAS_POINT`).
A network asked about a relationship one of whose ends it never saw in that role answers from
nothing it learnt: on the demo campus it called an EnergyPlus DX coil's own cooling-rate point
wrong (p=0.04); no coil of that class had a point in the Brick models it was trained on. Such a
relationship is neither judged wrong nor proposed as missing; the rules still see it. A
relationship between known ends is judged, however unusual their pairing: a zone temperature
sensor on an AHU (both well known) is exactly the mistake the network is for.

>>> roles = seen_roles(training_arrays)  # doctest: +SKIP
>>> known(roles, arrays, arrays.edges)  # doctest: +SKIP
array([ True, False, ...])
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from graphtwin.ml.classes import class_vocabulary
from graphtwin.ml.corruption import scored_type_ids
from graphtwin.ml.features import kinds
from graphtwin.ml.tensors import GraphArrays, relationship_types

MIN_SEEN = 3
"""How often an end must stand in its role in training before the network judges it: once or
twice is one model's habit (or its mistake), too little to judge another building's use of it."""

Role = tuple[str, str, str]
"""(class or kind:<kind>, relationship type, "start" or "end")."""


def seen_roles(arrays: GraphArrays) -> dict[Role, int]:
    """How often each end stands in each role of a scored type in `arrays` (training)."""
    scored = arrays.edges[np.isin(arrays.edges[:, 1], list(scored_type_ids()))]
    starts, ends = _roles(arrays, scored)
    return dict(Counter(starts + ends))


def known(roles: dict[Role, int], arrays: GraphArrays, edges: np.ndarray) -> np.ndarray:
    """Per row of `edges` [m, 3]: did training see both of its ends in their roles at least
    `MIN_SEEN` times each?"""
    starts, ends = _roles(arrays, edges)
    return np.array(
        [
            roles.get(s, 0) >= MIN_SEEN and roles.get(e, 0) >= MIN_SEEN
            for s, e in zip(starts, ends, strict=True)
        ],
        dtype=bool,
    )


def _roles(arrays: GraphArrays, edges: np.ndarray) -> tuple[list[Role], list[Role]]:
    names = _end_names(arrays)
    types = relationship_types()
    starts = [(names[int(a)], types[int(r)], "start") for a, r, _ in edges]
    ends = [(names[int(b)], types[int(r)], "end") for _, r, b in edges]
    return starts, ends


def _end_names(arrays: GraphArrays) -> list[str]:
    classes, kind_names = class_vocabulary().names, kinds()
    return [
        classes[int(c)] if c >= 0 else f"kind:{kind_names[int(k)]}"
        for c, k in zip(arrays.classes, arrays.kinds, strict=True)
    ]
