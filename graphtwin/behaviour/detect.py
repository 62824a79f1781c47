"""Every detector on one frame: the episodes, with their causes.

>>> episodes = detect(frame, relations)  # doctest: +SKIP
>>> sorted({e.rule for e in episodes})  # doctest: +SKIP
['behaviour-profile', 'behaviour-residual', 'behaviour-stuck']
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from threadpoolctl import threadpool_limits

from graphtwin.behaviour import (
    class_fit,
    command,
    noise,
    parent_fit,
    profile,
    residual,
    stuck,
    swap,
    zone_response,
)
from graphtwin.behaviour.cause import assign_causes
from graphtwin.behaviour.episodes import Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.behaviour.relation_model import Fitted, fit_point
from graphtwin.behaviour.relations import SENSOR_KINDS, Relations
from graphtwin.behaviour.thresholds import Thresholds

RULES = (
    stuck.RULE,
    noise.RULE,
    residual.RULE,
    swap.RULE,
    profile.RULE,
    command.RULE,
    class_fit.RULE,
    parent_fit.RULE,
    zone_response.RULE,
)
"""Every detector's rule name (the rules a detection run can resolve)."""

Detector = Callable[[Frame, Relations, Thresholds], list[Episode]]
PLAIN: tuple[Detector, ...] = (
    noise.detect_noise,
    profile.detect_profile,
    command.detect_command,
    class_fit.detect_class,
    parent_fit.detect_parent,
    zone_response.detect_response,
)


def fit_relations(frame: Frame, relations: Relations) -> dict[str, Fitted]:
    """The relation model of every sensor point in the frame."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            p: fit_point(frame, relations, p)
            for p in frame.ids
            if p in relations.points and relations.kind(p) in SENSOR_KINDS
        }


def detect(frame: Frame, relations: Relations, limits: Thresholds | None = None) -> list[Episode]:
    """All episodes in the frame's evaluation window, causes assigned."""
    limits = limits or Thresholds()
    # many small regressions: BLAS threads only contend (50x slower on a busy machine)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = fit_relations(frame, relations)
        off_relation = residual.detect_residual(frame, relations, fitted, limits)
        swapped = swap.detect_swaps(frame, relations, fitted, off_relation, limits)
        kept = explain_away([e for e in off_relation if not _in_swap(e, swapped)], relations)
        episodes = kept + swapped
        episodes += stuck.detect_stuck(frame, relations, fitted, limits)
        for detector in PLAIN:
            episodes += detector(frame, relations, limits)
    return assign_causes(sorted(episodes, key=lambda e: (e.opened, e.point, e.rule)), relations)


def explain_away(episodes: list[Episode], relations: Relations) -> list[Episode]:
    """Residual episodes less those another explains: a point whose related point (one its
    relation model reads, or a peer) went off first, or at the same step by more. A zone's
    humidity moves off its relation when the zone's temperature sensor is offset; the
    temperature is the fault."""

    def strength(e: Episode) -> float:
        return abs(float(e.evidence.get("shift", 0.0))) / float(e.evidence["residual_scale"])

    kept = []
    for e in episodes:
        related = set(e.compared) | set(relations.peers(e.point))
        earlier = [
            o
            for o in episodes
            if o.point in related
            and o.overlaps(e)
            and (o.opened < e.opened or (o.opened == e.opened and strength(o) > strength(e)))
        ]
        if not earlier:
            kept.append(e)
    return kept


def _in_swap(episode: Episode, swapped: list[Episode]) -> bool:
    return any(s.point == episode.point and s.overlaps(episode) for s in swapped)
