"""The rules drift is judged by: a point's threshold bands (`Thresholds` of warning and critical
`Bounds`, with hysteresis) and the reconciliation `Strategy` of a drift issue. A bindings file's
sync rules (graphtwin.telemetry.bindings) are written with them; drift reads them without
knowing where they were declared.

>>> Thresholds(warning=Bounds(low=18, high=26), hysteresis=0.5).warning.high
26.0
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bounds(_Strict):
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.low is None and self.high is None:
            raise ValueError("give low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class Thresholds(_Strict):
    """Out of `warning` is a warning, out of `critical` is critical. A condition clears only once
    the value is back inside by `hysteresis`, so a value hovering at a bound does not flap."""

    warning: Bounds | None = None
    critical: Bounds | None = None
    hysteresis: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _some(self) -> Thresholds:
        if self.warning is None and self.critical is None:
            raise ValueError("give warning, critical or both")
        return self


Strategy = Literal["auto_correct", "alert", "investigate", "ignore"]
"""How a drift issue is reconciled (docs/telemetry.md)."""
