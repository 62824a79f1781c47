"""GraphQL types of what-if simulation: the scenario input and the recorded run.

`ScenarioInput` has the scenario file's fields (docs/scenario.schema.json), typed: an
intervention is an `InterventionInput` whose `type` says which of its optional fields apply,
exactly as a YAML intervention is written. `scenario_data` turns it into the mapping the file
model validates (`graphtwin.simulation.scenario.scenario_from_data`), so a mistake names the
same field path as in a file (`actions[0].interventions[1].until`). An EPW weather file is not
an API input: it would be a path on the server; `history` and `constant` outdoor conditions are.

The output types read the JSON form of a recorded run (`graphtwin.simulation.records`): plain
dicts keyed by the Python field names.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graphtwin.api import simulation_fetchers as simulation
from graphtwin.api.fields import batched
from graphtwin.api.scalars import DateTime


@strawberry.enum(description="What an intervention does (the scenario file's `type`).")
class InterventionType(Enum):
    TRIP = "trip"
    OUT_OF_SERVICE = "out_of_service"
    SETPOINT = "setpoint"
    SCHEDULE = "schedule"
    REMOVE_FEED = "remove_feed"
    ADD_FEED = "add_feed"
    OCCUPANCY = "occupancy"
    AIRFLOW = "airflow"


@strawberry.enum(description="Which zone setpoint a setpoint or schedule intervention changes.")
class SetpointKind(Enum):
    COOLING = "cooling"
    HEATING = "heating"


@strawberry.enum(description="Where the outdoor temperature comes from.")
class OutdoorSource(Enum):
    HISTORY = "history"
    CONSTANT = "constant"


@strawberry.input(description="A setpoint over a period of the local day (schedule).")
class SchedulePeriodInput:
    from_: str = strawberry.field(name="from", description="HH:MM, local clock.")
    to: str = strawberry.field(description="HH:MM (24:00: midnight); may wrap past midnight.")
    value: float


@strawberry.input(description="A price per kWh over a period of the local day.")
class TariffPeriodInput:
    from_: str = strawberry.field(name="from", description="HH:MM, local clock.")
    to: str
    price: float
    days: list[str] | None = strawberry.field(default=None, description="mon ... sun.")


@strawberry.input(description="A carbon intensity (kg CO2 per kWh) over a period of the day.")
class CarbonPeriodInput:
    from_: str = strawberry.field(name="from", description="HH:MM, local clock.")
    to: str
    value: float
    days: list[str] | None = None


@strawberry.input(description="One intervention; `type` says which fields apply (as in a file).")
class InterventionInput:
    type: InterventionType
    target: strawberry.ID | None = strawberry.field(
        default=None, description="The equipment, zone (or floor/building for occupancy)."
    )
    at: str | None = strawberry.field(default=None, description="Offset from the start (0m).")
    until: str | None = strawberry.field(
        default=None, description="Offset from the start (default: the horizon's end)."
    )
    setpoint: SetpointKind | None = None
    value: float | None = strawberry.field(default=None, description="An absolute setpoint.")
    delta: float | None = strawberry.field(default=None, description="A setpoint change.")
    unit: str | None = strawberry.field(default=None, description="degC (default), degF or K.")
    periods: list[SchedulePeriodInput] | None = None
    default: float | None = strawberry.field(
        default=None, description="Schedule: the setpoint outside the periods."
    )
    from_: strawberry.ID | None = strawberry.field(
        default=None, name="from", description="remove_feed/add_feed: what feeds."
    )
    to: strawberry.ID | None = strawberry.field(
        default=None, description="remove_feed/add_feed: what is fed."
    )
    factor: float | None = strawberry.field(
        default=None, description="occupancy: gains factor; airflow: HVAC capacity factor."
    )
    watts_per_m2: float | None = None


@strawberry.input(description="A named action, compared with inaction.")
class ActionInput:
    name: str
    description: str | None = None
    interventions: list[InterventionInput]


@strawberry.input(description="The outdoor conditions (default: the building's history).")
class OutdoorInput:
    source: OutdoorSource = OutdoorSource.HISTORY
    value: float | None = strawberry.field(default=None, description="constant: the value.")
    unit: str | None = None


@strawberry.input(description="A time-of-use tariff (default: a flat price of 0).")
class TariffInput:
    currency: str | None = None
    default: float | None = None
    periods: list[TariffPeriodInput] | None = None


@strawberry.input(description="The carbon intensity, kg CO2 per kWh (default 0).")
class CarbonInput:
    default: float | None = None
    periods: list[CarbonPeriodInput] | None = None


@strawberry.input(
    description="A what-if scenario, with the fields of the scenario file "
    "(docs/scenario.schema.json; `graphtwin-scenario` is implied)."
)
class ScenarioInput:
    name: str
    horizon: str = strawberry.field(description="4h, 90m, PT4H ... (limit: the server's).")
    description: str | None = None
    scope: strawberry.ID | None = strawberry.field(
        default=None, description="The building the run covers (default: the first target's)."
    )
    start: DateTime | None = strawberry.field(default=None, description="Default: now.")
    step: str | None = strawberry.field(default=None, description="Default 5m.")
    interventions: list[InterventionInput] | None = None
    outdoor: OutdoorInput | None = None
    tariff: TariffInput | None = None
    carbon: CarbonInput | None = None
    actions: list[ActionInput] | None = None


_RENAMED = {"from_": "from"}


def scenario_data(value: Any) -> Any:
    """An input (or a value inside one) as the scenario file writes it: file field names,
    enums as their values, unset fields left out."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [scenario_data(v) for v in value]
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is None:
        return value
    return {
        _RENAMED.get(f.python_name, f.python_name): scenario_data(getattr(value, f.python_name))
        for f in definition.fields
        if getattr(value, f.python_name) is not None
    }


# --- the run ------------------------------------------------------------------------------------


@strawberry.type(description="What a variant's interventions do to supply (FEEDS/HAS_PART/SERVES).")
class SupplyImpact:
    removed: list[strawberry.ID] = strawberry.field(
        description="Equipment tripped or out of service, with its wholes and parts."
    )
    lost: list[strawberry.ID] = strawberry.field(description="What loses supply entirely.")
    partly: list[strawberry.ID] = strawberry.field(
        description="What loses a feed but keeps another (a redundant feed)."
    )


@strawberry.type(description="A simulated value outside a node's effective constraint.")
class SimulatedViolation:
    node: strawberry.ID
    property: str
    bound: str = strawberry.field(description="min or max.")
    limit: float
    unit: str | None
    severity: str = strawberry.field(description="hard or soft.")
    when: str | None = strawberry.field(description="The constraint's condition (occupied).")
    constraint_ids: list[str]
    first_at: DateTime = strawberry.field(description="The first crossing (interpolated).")
    duration_s: float = strawberry.field(description="Seconds outside the bound, all spans.")
    worst: float = strawberry.field(description="The value furthest outside the bound.")
    because: str = strawberry.field(description="The because chain of the broken constraint.")
    condition_assumed: bool = strawberry.field(
        description="The condition could not be evaluated and was assumed to hold."
    )


@strawberry.type(description="One variant (inaction or an action) over the horizon.")
class SimulationOutcome:
    name: str
    violation_hours: float = strawberry.field(description="Comfort-violation hours, all zones.")
    zones_affected: list[strawberry.ID]
    energy_kwh: float = strawberry.field(description="HVAC energy (heating and cooling).")
    cost: float
    co2_kg: float
    band_width_k: float = strawberry.field(description="The widest zone temperature band (K).")
    impact: SupplyImpact
    violations: list[SimulatedViolation]
    first_violation: SimulatedViolation | None


@strawberry.type(description="A variant's place in the comparison, with its one-line reason.")
class RankedVariant:
    rank: int
    name: str
    because: str


@strawberry.type(description="A zone model a run used, and how good its fit was.")
class ZoneModelUse:
    zone: strawberry.ID
    model_id: str
    calibrated: bool = strawberry.field(description="False: geometry priors, a wide band.")
    rmse_k: float | None
    samples: int
    fitted_from: DateTime | None
    fitted_to: DateTime | None
    stale: bool


@strawberry.type(description="One node's simulated series, with its uncertainty band.")
class SimulatedTrajectory:
    variant: str
    node: strawberry.ID
    property: str = strawberry.field(description="air_temperature, hvac_power ...")
    unit: str
    band_level: float = strawberry.field(description="0.9: 90% of outcomes inside the band.")
    times: list[DateTime]
    values: list[float]
    lower: list[float]
    upper: list[float]


@strawberry.type(description="The scenario a run simulated: one per set of inputs.")
class SimulationScenario:
    scenario_id: strawberry.ID
    name: str
    inputs: JSON = strawberry.field(description="The scenario's fields, as in a scenario file.")


@strawberry.type(
    description="A recorded what-if run: its scenario, who ran it and when, the models it used "
    "(with their fit), the comparison of inaction and the actions, and the trajectories."
)
class SimulationRun:
    run_id: strawberry.ID
    scenario: SimulationScenario
    actor: str = strawberry.field(description="Who ran it (cli:<user>, apikey:<id>:<name>).")
    started_at: DateTime
    finished_at: DateTime
    code_version: str = strawberry.field(description="The graphtwin version that ran it.")
    start: DateTime = strawberry.field(description="The simulated start.")
    step_s: float
    horizon_s: float
    outcomes: list[SimulationOutcome] = strawberry.field(description="Inaction, then actions.")
    ranking: list[RankedVariant] = strawberry.field(description="Best first, each with why.")
    impact: SupplyImpact = strawberry.field(
        description="The scenario's own impact on supply (inaction's)."
    )
    models: list[ZoneModelUse]
    affected: list[strawberry.ID] = strawberry.field(
        description="The live entities the run is linked to (SIMULATES)."
    )
    warnings: list[str]

    @batched(
        simulation.trajectories,
        description="Simulated series with their bands, per node and variant (only `node`'s, "
        "`variant`'s when given), from the run's Parquet file.",
    )
    def trajectories(
        self, node: strawberry.ID | None = None, variant: str | None = None
    ) -> list[SimulatedTrajectory]:
        """Declared here, loaded by the fetcher."""
