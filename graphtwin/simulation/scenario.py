"""The what-if scenario: what happens (interventions), under which outdoor conditions, tariff and
carbon intensity, and which named actions to compare with inaction. Read from a YAML file
(`load_scenario`) or the GraphQL input (`scenario_from_data`); both give the same frozen model.

    graphtwin-scenario: 1
    name: AHU trips
    start: 2025-07-08T09:00:00-07:00    # default: now; the local clock is this offset
    horizon: 4h                          # 90m, 2d or ISO 8601 (PT4H); step (default 5m) divides it
    interventions:
      - {type: trip, target: eplus:.../ahu/PACU_VAV_bot, until: 2h}
    tariff: {currency: USD, default: 0.11, periods: [{from: "14:00", to: "18:00", price: 0.28}]}
    actions:
      - name: raise other floors' airflow
        interventions: [{type: airflow, target: eplus:.../ahu/PACU_VAV_mid, factor: 1.3}]

Everything that can be checked without the graph is checked here (scenario_checks), and a
mistake is a `ScenarioError` naming the field (`actions[0].interventions[1].until`) and, for a
file, the line. Whether the ids exist is the runner's to check: `named_ids()` lists them with
their fields. docs/scenario.schema.json is this model's JSON Schema (`graphtwin schema
scenario`); docs/simulation.md is the guide.

>>> scenario = load_scenario(Path("examples/scenarios/ahu-trip.yaml"))  # doctest: +SKIP
>>> [variant.name for variant in scenario.variants()]  # doctest: +SKIP
['inaction', "raise other floors' airflow", 'relax unoccupied setpoints']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graphtwin.config import Settings
from graphtwin.simulation.errors import ScenarioError
from graphtwin.simulation.interventions import (
    AddFeed,
    AirflowChange,
    Intervention,
    OccupancyChange,
    Outage,
    RemoveFeed,
    ScheduleChange,
    SetpointChange,
    TimedIntervention,
)
from graphtwin.simulation.result import INACTION
from graphtwin.simulation.scenario_checks import (
    FieldPath,
    FieldProblemError,
    check_scenario,
    field_path,
    scenario_interventions,
)
from graphtwin.simulation.scenario_types import (
    DURATION_FORMS,
    PositiveDuration,
    StrictModel,
    TemperatureUnit,
    TwinId,
    positive,
    seconds,
    to_celsius,
)
from graphtwin.simulation.tariff import Carbon, CarbonPeriod, Tariff, TariffPeriod
from graphtwin.virtual.faults.spec import parse_duration
from graphtwin.yaml_spec import published_schema
from graphtwin.yamlio import LineIndex, load_yaml

__all__ = [
    "MAX_HORIZON_S",
    "MAX_STEPS",
    "Action",
    "AddFeed",
    "AirflowChange",
    "Carbon",
    "CarbonPeriod",
    "ConstantOutdoor",
    "EpwOutdoor",
    "HistoryOutdoor",
    "Intervention",
    "OccupancyChange",
    "Outage",
    "Outdoor",
    "RemoveFeed",
    "Scenario",
    "ScenarioError",
    "ScheduleChange",
    "SetpointChange",
    "Tariff",
    "TariffPeriod",
    "TimedIntervention",
    "Variant",
    "load_scenario",
    "scenario_from_data",
    "scenario_json_schema",
]

FORMAT_VERSION = 1
SCHEMA_ID = "https://graphtwin.dev/schemas/scenario.schema.json"
MAX_HORIZON_S: int = Settings.model_fields["simulation_max_horizon_s"].default
"""The default limit of `horizon` (GRAPHTWIN_SIMULATION_MAX_HORIZON_S): 7 days."""
MAX_STEPS: int = Settings.model_fields["simulation_max_steps"].default
"""The default limit of horizon / step (GRAPHTWIN_SIMULATION_MAX_STEPS)."""
MIN_STEP = timedelta(minutes=1)
_EXPECTED = (
    "a scenario file is a YAML mapping starting with graphtwin-scenario: 1, then name, "
    "horizon and interventions (docs/scenario.schema.json)"
)


# --- outdoor conditions ------------------------------------------------------------------------


class HistoryOutdoor(StrictModel):
    """The building's recorded outdoor temperature (graphtwin.simulation.outdoor)."""

    source: Literal["history"] = "history"


class EpwOutdoor(StrictModel):
    """An EnergyPlus weather file's dry-bulb temperature."""

    source: Literal["epw"]
    file: str = Field(min_length=1, description="Path of the .epw file, relative to the scenario.")


class ConstantOutdoor(StrictModel):
    """One outdoor temperature over the whole horizon."""

    source: Literal["constant"]
    value: float
    unit: TemperatureUnit = "degC"

    @property
    def value_c(self) -> float:
        return to_celsius(self.value, self.unit)


Outdoor = Annotated[HistoryOutdoor | EpwOutdoor | ConstantOutdoor, Field(discriminator="source")]


class Action(StrictModel):
    """A named response, simulated as the scenario's interventions plus its own."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    interventions: list[Intervention] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Variant:
    """One run of the comparison: inaction (the scenario's interventions), or an action (the
    scenario's interventions, then the action's). `fields` names each intervention's field."""

    name: str
    interventions: tuple[Intervention, ...]
    fields: tuple[str, ...]


class Scenario(StrictModel):
    """A what-if scenario (the file's fields; docs/scenario.schema.json)."""

    graphtwin_scenario: Literal[1] = Field(alias="graphtwin-scenario")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    scope: TwinId | None = Field(
        default=None,
        description="The building or site the run covers (default: the one holding the first "
        "intervention's target).",
    )
    start: AwareDatetime | None = Field(
        default=None,
        description="ISO 8601 with a UTC offset (default: now). Its offset is the local clock "
        "of schedules, tariff and carbon periods.",
        examples=["2025-07-08T09:00:00-07:00"],
    )
    horizon: PositiveDuration = Field(description=f"How far ahead to simulate: {DURATION_FORMS}.")
    step: PositiveDuration = Field(
        default="5m", description="Time step (at least 1 minute); must divide the horizon."
    )
    interventions: list[Intervention] = Field(
        default_factory=list, description="What happens, in inaction and in every action."
    )
    outdoor: Outdoor = Field(default_factory=HistoryOutdoor)
    tariff: Tariff = Field(default_factory=Tariff)
    carbon: Carbon = Field(default_factory=Carbon)
    actions: list[Action] = Field(
        default_factory=list, description="Named actions, each compared with inaction."
    )

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, horizon: str) -> str:
        return positive(horizon)

    @field_validator("step")
    @classmethod
    def _step(cls, step: str) -> str:
        if parse_duration(positive(step)) < MIN_STEP:
            raise ValueError(f"step {step} is under the shortest step, 1 minute")
        return step

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Scenario:
        limits = info.context or {}
        check_scenario(
            self,
            max_horizon_s=limits.get("max_horizon_s", MAX_HORIZON_S),
            max_steps=limits.get("max_steps", MAX_STEPS),
        )
        return self

    @property
    def horizon_s(self) -> float:
        return seconds(self.horizon)

    @property
    def step_s(self) -> float:
        return seconds(self.step)

    @property
    def steps(self) -> int:
        """Time steps over the horizon (step divides it)."""
        return round(self.horizon_s / self.step_s)

    @property
    def local_tz(self) -> tzinfo | None:
        """The local clock of periods: the start's offset (None: the runner's `now`)."""
        return None if self.start is None else self.start.tzinfo

    def step_starts(self, start: datetime) -> list[datetime]:
        """The start of each step from `start` (the scenario's, or the runner's `now`)."""
        step = parse_duration(self.step)
        return [start + i * step for i in range(self.steps)]

    def variants(self) -> list[Variant]:
        """Inaction, then each action in the order written."""
        base = [(f"interventions[{i}]", iv) for i, iv in enumerate(self.interventions)]
        variants = [_variant(INACTION, base)]
        for a, action in enumerate(self.actions):
            own = [
                (f"actions[{a}].interventions[{i}]", iv)
                for i, iv in enumerate(action.interventions)
            ]
            variants.append(_variant(action.name, base + own))
        return variants

    def named_ids(self) -> list[tuple[str, str]]:
        """(field, twin id) of every id the scenario names, in the order written."""
        named = [] if self.scope is None else [("scope", self.scope)]
        for path, intervention in scenario_interventions(self):
            named += [(field_path((*path, key)), twin_id) for key, twin_id in _ids(intervention)]
        return named

    def targets(self) -> set[str]:
        """Every twin id the scenario names."""
        return {twin_id for _, twin_id in self.named_ids()}


def _variant(name: str, entries: list[tuple[str, Intervention]]) -> Variant:
    return Variant(name, tuple(iv for _, iv in entries), tuple(f for f, _ in entries))


def _ids(intervention: Intervention) -> list[tuple[str, str]]:
    if isinstance(intervention, RemoveFeed | AddFeed):
        return [("from", intervention.from_), ("to", intervention.to)]
    return [("target", intervention.target)]


# --- reading ---------------------------------------------------------------------------------


def load_scenario(
    path: Path, *, max_horizon_s: float = MAX_HORIZON_S, max_steps: int = MAX_STEPS
) -> Scenario:
    """The scenario file at `path`. A mistake is a ScenarioError naming the field and the line;
    an EPW weather file is found relative to the scenario file and must exist.

    Read as graphtwin.yaml_spec.read_spec reads (load_yaml, then the model), with the
    limits passed to the checks and the field path kept on the error.
    """
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(_EXPECTED, field=None, location=lines.location(()))
    scenario = _validated(data, lines, max_horizon_s=max_horizon_s, max_steps=max_steps)
    return _with_weather_file(scenario, path.parent, lines)


def scenario_from_data(
    data: Mapping[str, Any],
    *,
    where: str = "input",
    max_horizon_s: float = MAX_HORIZON_S,
    max_steps: int = MAX_STEPS,
    base_dir: Path | None = None,
) -> Scenario:
    """The scenario given as data (the GraphQL input), with the file's field names.
    `graphtwin-scenario` may be left out, and a field given as None is a field left out.
    Errors name `where` and the field path. An EPW file is resolved against `base_dir` when
    given (and must exist there), else kept as written."""
    plain = _without_none(dict(data))
    plain.setdefault("graphtwin-scenario", FORMAT_VERSION)
    lines = LineIndex(where, plain)
    scenario = _validated(plain, lines, max_horizon_s=max_horizon_s, max_steps=max_steps)
    return scenario if base_dir is None else _with_weather_file(scenario, base_dir, lines)


def scenario_json_schema() -> dict[str, Any]:
    """The scenario file's JSON Schema (docs/scenario.schema.json)."""
    return published_schema(
        Scenario.model_json_schema(by_alias=True),
        schema_id=SCHEMA_ID,
        title="graphtwin scenario file",
    )


def _validated(
    data: dict[str, Any], lines: LineIndex, *, max_horizon_s: float, max_steps: int
) -> Scenario:
    context = {"max_horizon_s": max_horizon_s, "max_steps": max_steps}
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as exc:
        raise _scenario_error(exc, lines) from exc


def _scenario_error(exc: ValidationError, lines: LineIndex) -> ScenarioError:
    """The error to show: a check across fields names its own field; otherwise the error that
    reaches deepest into the scenario, its field path without the union tags pydantic adds."""
    errors = exc.errors()
    for error in errors:
        problem = error.get("ctx", {}).get("error")
        if isinstance(problem, FieldProblemError):
            return ScenarioError(
                str(problem), field=field_path(problem.path), location=lines.location(problem.path)
            )
    error = max(errors, key=lambda e: len(_without_tags(e["loc"])))
    path = _without_tags(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        path = (*path, "source" if path[-1:] == ("outdoor",) else "type")
    message = _MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    return ScenarioError(message, field=field_path(path) or None, location=lines.location(path))


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling)",
}


def _without_tags(loc: tuple[str | int, ...]) -> FieldPath:
    """A pydantic error location without the tag of a discriminated union (an intervention's
    `type`, the outdoor `source`), which follows the union's own place. A tag may equal a
    field's name (type `setpoint` has a field `setpoint`), so it is dropped by place, not name."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        before = loc[i - 1] if i else None
        in_list = i >= 2 and isinstance(before, int) and loc[i - 2] == "interventions"
        if in_list or before == "outdoor":
            continue
        path.append(part)
    return tuple(path)


def _with_weather_file(scenario: Scenario, base: Path, lines: LineIndex) -> Scenario:
    if not isinstance(scenario.outdoor, EpwOutdoor):
        return scenario
    file = base / scenario.outdoor.file
    if not file.is_file():
        raise ScenarioError(
            f"no EPW weather file at {file}",
            field="outdoor.file",
            location=lines.location(("outdoor", "file")),
        )
    outdoor = scenario.outdoor.model_copy(update={"file": str(file)})
    return scenario.model_copy(update={"outdoor": outdoor})


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value
