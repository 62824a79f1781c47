"""Brick relations become twin relationship types, refined by what they connect.

Brick says `hasPart` for a building's floors, a system's equipment and an AHU's fan alike; the
twin contract distinguishes spatial containment (CONTAINS), membership in a system or zone
(MEMBER_OF) and composition (HAS_PART). The kinds at both ends decide.
"""

from __future__ import annotations

SPATIAL_KINDS = frozenset({"Site", "Building", "Floor", "Space"})
COLLECTION_KINDS = frozenset({"System", "Zone"})


def refine(
    start: str, start_kind: str, rel_type: str, end: str, end_kind: str
) -> tuple[str, str, str]:
    """The twin relationship (start, type, end) for a Brick relation already oriented in the
    direction of `rel_type` (the whole first for HAS_PART, the located thing first for
    LOCATED_IN)."""
    if rel_type == "HAS_PART":
        if start_kind in COLLECTION_KINDS:
            return end, "MEMBER_OF", start
        if start_kind in SPATIAL_KINDS and end_kind in SPATIAL_KINDS:
            return start, "CONTAINS", end
    if rel_type == "LOCATED_IN" and start_kind in SPATIAL_KINDS and end_kind in SPATIAL_KINDS:
        return end, "CONTAINS", start
    return start, rel_type, end
