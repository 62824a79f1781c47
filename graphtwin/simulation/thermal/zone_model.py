"""A zone's thermal model as it is stored: parameters, gains, capacity, band and fit record.

`ZoneModel.to_record()` gives a plain JSON-able dict (the runner keeps it on a graph node);
`ZoneModel.from_record()` reads it back. `model_id` names the fit: the zone, the fitted
interval and a hash of the parameters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graphtwin.simulation.thermal.band import ResidualBand
from graphtwin.simulation.thermal.gains import GainProfile
from graphtwin.simulation.thermal.rc import RcParameters
from graphtwin.simulation.thermal.release import ReleaseResponse

RECORD_VERSION = 1
DEFAULT_STALE_AFTER = timedelta(days=7)
"""A fit goes stale a week after it was made: buildings change with the season and use."""


@dataclass(frozen=True, slots=True)
class ZoneModel:
    zone: str
    parameters: RcParameters
    gains: GainProfile
    heat_capacity_w: float
    cool_capacity_w: float
    band: ResidualBand
    calibrated: bool
    """False: from priors (geometry) alone, with a wide band."""
    rmse_k: float | None
    """Of the multi-step (whole-window) simulation over the fitted interval."""
    samples: int
    fitted_from: datetime | None
    fitted_to: datetime | None
    fitted_at: datetime
    stale_after: timedelta = DEFAULT_STALE_AFTER
    note: str = ""
    """Why the model is what it is (`history too short: 2.0 of 3.0 days`)."""
    release: ReleaseResponse = field(default_factory=ReleaseResponse)
    """The air's extra rise after the HVAC stops, per W it was removing (`release.py`)."""
    deadband_q_w: float = 0.0
    """W the running HVAC still delivers with the zone between its setpoints (a VAV box's
    minimum airflow of cold air: negative); 0 for a model from priors or an old record."""

    @property
    def model_id(self) -> str:
        return model_id(self.zone, self.fitted_from, self.fitted_to, self.parameters, self.gains)

    def is_stale(self, now: datetime) -> bool:
        return now - self.fitted_at > self.stale_after

    def to_record(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "model_id": self.model_id,
            "zone": self.zone,
            "parameters": self.parameters.to_record(),
            "gains_w": list(self.gains.watts),
            "utc_offset_h": self.gains.utc_offset_h,
            "heat_capacity_w": self.heat_capacity_w,
            "cool_capacity_w": self.cool_capacity_w,
            "band": self.band.to_record(),
            "calibrated": self.calibrated,
            "rmse_k": self.rmse_k,
            "samples": self.samples,
            "fitted_from": _iso(self.fitted_from),
            "fitted_to": _iso(self.fitted_to),
            "fitted_at": self.fitted_at.isoformat(),
            "stale_after_s": self.stale_after.total_seconds(),
            "note": self.note,
            "release": self.release.to_record(),
            "deadband_q_w": self.deadband_q_w,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ZoneModel:
        return cls(
            zone=str(record["zone"]),
            parameters=RcParameters.from_record(record["parameters"]),
            gains=GainProfile(
                tuple(float(w) for w in record["gains_w"]), float(record["utc_offset_h"])
            ),
            heat_capacity_w=float(record["heat_capacity_w"]),
            cool_capacity_w=float(record["cool_capacity_w"]),
            band=ResidualBand.from_record(record["band"]),
            calibrated=bool(record["calibrated"]),
            rmse_k=None if record["rmse_k"] is None else float(record["rmse_k"]),
            samples=int(record["samples"]),
            fitted_from=_parse(record["fitted_from"]),
            fitted_to=_parse(record["fitted_to"]),
            fitted_at=datetime.fromisoformat(record["fitted_at"]),
            stale_after=timedelta(seconds=float(record["stale_after_s"])),
            note=str(record.get("note", "")),
            release=ReleaseResponse.from_record(record.get("release")),
            deadband_q_w=float(record.get("deadband_q_w", 0.0)),
        )


def model_id(
    zone: str,
    fitted_from: datetime | None,
    fitted_to: datetime | None,
    parameters: RcParameters,
    gains: GainProfile,
) -> str:
    """`<zone>@<from>/<to>#<12 hex of the parameters' hash>` (`prior` for no interval)."""
    content = json.dumps(
        [parameters.to_record(), [round(w, 6) for w in gains.watts], gains.utc_offset_h],
        sort_keys=True,
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    interval = f"{_iso(fitted_from)}/{_iso(fitted_to)}" if fitted_from and fitted_to else "prior"
    return f"{zone}@{interval}#{digest}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
