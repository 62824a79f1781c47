"""The quality of a BACnet value from what the object says about itself.

An object's `status-flags` are four bits: in-alarm, fault, overridden, out-of-service. With its
`reliability` and `out-of-service` properties they say how far its present-value can be trusted:

- `bad`: the object reports a fault (the fault flag, or a reliability other than
  no-fault-detected): the value is not a measurement;
- `uncertain`: out of service (the value is whatever someone wrote, not the sensor) or
  overridden (a hand-off-auto switch holds it): a real value, but not the process's;
- `good` otherwise. In-alarm is about the value, not its quality: it stays good.

>>> quality_of([0, 0, 0, 1], "no-fault-detected", True)
'uncertain'
>>> quality_of([1, 0, 0, 0], None, False)
'good'
"""

from __future__ import annotations

from collections.abc import Sequence

FAULT, OVERRIDDEN, OUT_OF_SERVICE = 1, 2, 3  # bit positions in status-flags
NO_FAULT = "no-fault-detected"


def quality_of(
    status_flags: Sequence[int] | None, reliability: str | None, out_of_service: bool | None
) -> str:
    """good, uncertain or bad (see the module doc); an unknown part counts as fine."""
    flags = list(status_flags or ())

    def flag(bit: int) -> bool:
        return len(flags) > bit and bool(flags[bit])

    if flag(FAULT) or (reliability is not None and reliability != NO_FAULT):
        return "bad"
    if out_of_service or flag(OUT_OF_SERVICE) or flag(OVERRIDDEN):
        return "uncertain"
    return "good"
