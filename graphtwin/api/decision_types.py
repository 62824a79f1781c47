"""GraphQL types of the decision log: an accepted action of a what-if run, the outcome the run
predicted for it, and the outcome observed since (graphtwin.simulation.decisions)."""

from __future__ import annotations

import strawberry

from graphtwin.api import decision_fetchers as decisions
from graphtwin.api.fields import batched
from graphtwin.api.scalars import DateTime
from graphtwin.api.simulation_types import SimulatedViolation


@strawberry.type(description="What a run predicted for one zone's air temperature.")
class ZonePrediction:
    zone: strawberry.ID
    point: strawberry.ID | None = strawberry.field(
        description="The zone's air temperature point, whose history the backtest reads."
    )
    mean_c: float
    min_c: float
    max_c: float
    lower_limit: float | None = strawberry.field(description="The comfort bound (min), if known.")
    upper_limit: float | None = strawberry.field(description="The comfort bound (max), if known.")
    violation_minutes: float | None = strawberry.field(
        description="Minutes outside the bounds over the horizon; null when no bound is known."
    )


@strawberry.type(description="The outcome a run predicted for the accepted action.")
class PredictedOutcome:
    scenario: str
    start: DateTime = strawberry.field(description="The simulated start.")
    step_s: float
    horizon_s: float
    rank: int | None = strawberry.field(description="The action's place in the run's ranking.")
    because: str | None = strawberry.field(description="The ranking's one-line reason.")
    violation_hours: float
    zones_affected: list[strawberry.ID]
    energy_kwh: float
    cost: float
    co2_kg: float
    time_to_violation_s: float | None = strawberry.field(
        description="From the start to the first violation; null: none foreseen."
    )
    first_violation: SimulatedViolation | None
    zones: list[ZonePrediction]


@strawberry.type(description="One zone's predicted against observed air temperature so far.")
class ZoneBacktest:
    zone: strawberry.ID
    point: strawberry.ID | None
    status: str = strawberry.field(
        description="compared, not_enough_history or no_point (the zone has no air sensor)."
    )
    reason: str
    samples: int = strawberry.field(description="Elapsed steps with an observed value.")
    predicted_mean_c: float | None
    observed_mean_c: float | None
    error_c: float | None = strawberry.field(description="Observed minus predicted mean.")
    mean_abs_error_c: float | None
    predicted_violation_minutes: float | None
    observed_violation_minutes: float | None


@strawberry.type(
    description="An accepted action's prediction against the history since: compared over "
    "the elapsed part of the horizon, or `not_enough_history` with the reason (no number is "
    "made up)."
)
class DecisionBacktest:
    status: str = strawberry.field(description="compared or not_enough_history.")
    reason: str
    elapsed_s: float = strawberry.field(description="The part of the horizon that has passed.")
    mean_abs_error_c: float | None
    predicted_violation_minutes: float | None
    observed_violation_minutes: float | None
    zones: list[ZoneBacktest]


@strawberry.type(
    description="An action of a what-if run that a person accepted: who, when, why, and the "
    "outcome the run predicted for it (acceptAction)."
)
class Decision:
    decision_id: strawberry.ID
    run_id: strawberry.ID
    scenario: str
    action: str = strawberry.field(description="The accepted variant (an action, or inaction).")
    note: str = strawberry.field(description="Why, as the person wrote it.")
    by: str = strawberry.field(description="Who accepted it (apikey:<id>:<name>).")
    at: DateTime
    predicted: PredictedOutcome

    @batched(
        decisions.observed,
        description="The outcome observed since, from the history, against the prediction.",
    )
    def observed(self) -> DecisionBacktest:
        """Declared here, loaded by the fetcher."""
