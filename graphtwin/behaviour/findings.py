"""Episodes as drift findings: one per (point, detector), with the cause class, the window,
what was compared and the numbers in its evidence.

>>> from graphtwin.behaviour.episodes import Cause, Episode
>>> e = Episode("z1/t", "behaviour-stuck", Cause.SENSOR, 100, 110, 103)
>>> [f.rule for f in to_findings([e], frame)]  # doctest: +SKIP
['behaviour-stuck']
"""

from __future__ import annotations

from graphtwin.behaviour.episodes import Cause, Episode
from graphtwin.behaviour.frame import Frame
from graphtwin.drift.findings import Finding
from graphtwin.drift.issues import DriftType, Severity

MAX_COMPARED = 20
"""Related points named in the evidence (the count is always given)."""


def to_findings(episodes: list[Episode], frame: Frame) -> list[Finding]:
    """The first episode of each (point, rule), as a `behaviour` finding."""
    first: dict[tuple[str, str], Episode] = {}
    count: dict[tuple[str, str], int] = {}
    for e in sorted(episodes, key=lambda e: e.opened):
        key = (e.point, e.rule)
        first.setdefault(key, e)
        count[key] = count.get(key, 0) + 1
    return [_finding(e, frame, count[key]) for key, e in sorted(first.items())]


def _finding(e: Episode, frame: Frame, episodes: int) -> Finding:
    return Finding(
        twin_id=e.point,
        type=DriftType.BEHAVIOUR,
        rule=e.rule,
        severity=Severity.CRITICAL if e.cause is Cause.BEHAVIOUR else Severity.WARNING,
        description=f"{e.description} [cause: {e.cause}]",
        evidence={
            "cause": str(e.cause),
            "from": frame.time_at(e.start).isoformat(),
            "to": frame.time_at(max(e.end - 1, e.start)).isoformat(),
            "opened_at": frame.time_at(e.opened).isoformat(),
            "history_from": frame.start.isoformat(),
            "history_to": frame.time_at(frame.history - 1).isoformat(),
            "episodes": episodes,
            "compared": list(e.compared[:MAX_COMPARED]),
            "compared_count": len(e.compared),
            **e.evidence,
        },
    )
