"""What a what-if run produces: one `Outcome` per variant (inaction and each named action), each
with the trajectories of its zones, the constraint violations found on them, and its energy,
cost and carbon; and the `SimulationResult` that ranks them.

These are plain frozen dataclasses, so the CLI prints them, the API returns them and the store
records them without knowing how they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

INACTION = "inaction"
"""The variant with no action: the scenario's interventions alone. Always run."""


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One simulated series of one node's property, with its uncertainty band.

    `lower`/`upper` bound the band at `band_level` (0.9: 90% of outcomes expected inside).
    """

    node: str
    property: str
    """`air_temperature` for a zone's air temperature, `hvac_power` for its HVAC heat."""
    unit: str
    times: tuple[datetime, ...]
    values: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    band_level: float = 0.9

    @property
    def band_width(self) -> float:
        """The widest the band gets over the horizon (upper - lower)."""
        return max((u - lo for lo, u in zip(self.lower, self.upper, strict=True)), default=0.0)


@dataclass(frozen=True, slots=True)
class ViolationSpan:
    """A simulated value outside a node's effective constraint: when it first breaks the bound,
    for how long, how badly, and why the bound holds there."""

    node: str
    property: str
    bound: str
    """`min` or `max`."""
    limit: float
    unit: str | None
    severity: str
    """`hard` or `soft`."""
    when: str | None
    """The constraint's condition (`occupied`), None: always."""
    constraint_ids: tuple[str, ...]
    first_at: datetime
    """The first crossing, interpolated between steps."""
    duration_s: float
    """Seconds outside the bound within the horizon (all spans together)."""
    worst: float
    """The simulated value furthest outside the bound."""
    because: str
    """The because chain of the constraint that sets the broken bound (one line)."""
    condition_assumed: bool = False
    """True when the condition (`occupied`) could not be evaluated and was assumed to hold."""


@dataclass(frozen=True, slots=True)
class Impact:
    """What an intervention does to supply along FEEDS/HAS_PART/SERVES."""

    removed: tuple[str, ...]
    """Equipment tripped or taken out of service, with the wholes and parts that go with it."""
    lost: tuple[str, ...]
    """Nodes that lose supply entirely."""
    partly: tuple[str, ...]
    """Nodes that lose a feed but keep another (a redundant feed)."""


@dataclass(frozen=True, slots=True)
class ModelUse:
    """A zone model a run used, and how good it was."""

    zone: str
    model_id: str
    calibrated: bool
    """False: simulated from priors (geometry), with a wide band."""
    rmse_k: float | None
    samples: int
    fitted_from: datetime | None
    fitted_to: datetime | None
    stale: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """One variant simulated over the horizon."""

    name: str
    """`inaction` or the action's name."""
    impact: Impact
    trajectories: tuple[Trajectory, ...]
    violations: tuple[ViolationSpan, ...]
    violation_hours: float
    """Comfort-violation hours summed over zones."""
    zones_affected: tuple[str, ...]
    """Zones with at least one violation."""
    energy_kwh: float
    cost: float
    co2_kg: float
    band_width_k: float
    """The widest zone temperature band of the variant (K)."""


@dataclass(frozen=True, slots=True)
class Ranked:
    """A variant's place in the comparison, with its one-line reason."""

    rank: int
    name: str
    because: str


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """A whole run: every variant, ranked, with what it was built from."""

    run_id: str
    scenario_id: str
    scenario_name: str
    start: datetime
    step_s: float
    horizon_s: float
    outcomes: tuple[Outcome, ...]
    ranking: tuple[Ranked, ...]
    models: tuple[ModelUse, ...]
    affected: tuple[str, ...]
    """Every entity the run touched (the interventions' targets, lost and partly affected
    nodes, zones with violations), for `SIMULATES` links."""
    started_at: datetime
    finished_at: datetime
    actor: str
    code_version: str
    warnings: tuple[str, ...] = field(default=())

    def outcome(self, name: str) -> Outcome:
        return next(o for o in self.outcomes if o.name == name)
